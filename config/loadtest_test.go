package config

import (
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadplan"
)

const goodLoadTest = `project: lt
endpoints:
  - name: model
    variants: [{instanceType: ml.m5.large}]
    slo: {latency: 100ms}
    loadTest: {rate: 10, duration: 1m, payload: s3://bucket/request.json}
`

// loadgen's grace and drain default to loadplan's, and their stop budget
// is the container's stop timeout.
func TestLoadTest_StopBudget(t *testing.T) {
	c, err := Load(writeConfig(t, goodLoadTest), nil)
	if err != nil {
		t.Fatal(err)
	}
	l := c.LoadTest
	if l.GracePeriod() != loadplan.DefaultGrace || l.DrainPeriod() != loadplan.DefaultDrain {
		t.Errorf("grace %v, drain %v; want loadplan's defaults", l.GracePeriod(), l.DrainPeriod())
	}
	if got, err := l.StopTimeout(); err != nil || got != 25*time.Second {
		t.Errorf("StopTimeout() = %v, %v; want 15s + 5s + 5s = 25s", got, err)
	}

	c, err = Load(writeConfig(t, goodLoadTest+"loadTest: {grace: 60s, drain: 20s}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.LoadTest.StopTimeout(); err != nil || got != 85*time.Second {
		t.Errorf("StopTimeout() = %v, %v; want 60s + 20s + 5s = 85s", got, err)
	}
}

func TestLoadTest_BadInfra(t *testing.T) {
	for name, tc := range map[string]struct{ extra, want string }{
		"over Fargate's stop timeout": {
			extra: "loadTest: {grace: 100s, drain: 20s}\n",
			want:  "sagesize.yaml: loadTest.grace: grace (1m40s) + drain (20s) + 5s to exit is 2m5s, over Fargate's longest stop timeout 2m0s: ECS kills loadgen when the stop timeout ends; shorten loadTest.grace or loadTest.drain",
		},
		"negative drain": {
			extra: "loadTest: {drain: -1s}\n",
			want:  "sagesize.yaml: loadTest.grace: grace (15s) and drain (-1s) must not be negative: ECS kills loadgen when the stop timeout ends; shorten loadTest.grace or loadTest.drain",
		},
		"private subnets in an existing VPC": {
			extra: "loadTest: {privateSubnets: true, vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0]}\n",
			want:  "sagesize.yaml: loadTest.privateSubnets: applies to the VPC the stack creates; in vpcId vpc-0123456789abcdef0 give subnets with a route to AWS (NAT or VPC endpoints, see README)",
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := loadErr(t, goodLoadTest+tc.extra); got != tc.want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}
