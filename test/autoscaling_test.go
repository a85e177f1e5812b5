package test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/sagesize/sagesize/config"
)

// The autoscaling example registers each variant as a scalable target
// (resource id endpoint/<name>/variant/<variant>, dimension
// sagemaker:variant:DesiredInstanceCount, its min and max) with a
// target-tracking policy. churn-xgb's target comes from the example's
// sizing report: ml.c5.xlarge sustained 19.8 req/s per instance, 30%
// headroom, so 19.8 × 0.7 × 60 = 831.6 invocations per instance per
// MINUTE, the unit of SageMakerVariantInvocationsPerInstance. No IAM role:
// Application Auto Scaling uses its service-linked role.
func TestAutoscaling_ScalableTargetsAndPoliciesFromTheSizingReport(t *testing.T) {
	tmpl := synth(t, "autoscaling").tmpl
	for _, tc := range []struct {
		resource      string
		min, max      int
		metric        string
		target        float64
		in, out       int
		policyNameEnd string
	}{
		{"endpoint/churn-xgb/variant/AllTraffic", 2, 8, "SageMakerVariantInvocationsPerInstance", 831.6, 300, 60, "churn-xgb-AllTraffic-target-tracking"},
		{"endpoint/support-llm/variant/main", 1, 4, "SageMakerVariantConcurrentRequestsPerModelHighResolution", 4, 300, 300, "support-llm-main-target-tracking"},
	} {
		check(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), &map[string]any{
				"ServiceNamespace": "sagemaker", "ResourceId": tc.resource,
				"ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
				"MinCapacity":       tc.min, "MaxCapacity": tc.max, "RoleARN": assertions.Match_Absent(),
			})
		})
		check(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalingPolicy"), &map[string]any{
				"PolicyName": "churn-" + tc.policyNameEnd, "PolicyType": "TargetTrackingScaling",
				"TargetTrackingScalingPolicyConfiguration": map[string]any{
					"TargetValue":                   tc.target,
					"PredefinedMetricSpecification": map[string]any{"PredefinedMetricType": tc.metric},
					"ScaleInCooldown":               tc.in, "ScaleOutCooldown": tc.out,
				},
			})
		})
	}
	check(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), jsii.Number(2))
	})
	check(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::ApplicationAutoScaling::ScalingPolicy"), jsii.Number(2))
	})
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(0)) })
}

// The endpoint's dashboard draws the policy's target on
// InvocationsPerInstance per minute and the instance count.
func TestAutoscaling_DashboardShowsTargetAndInstances(t *testing.T) {
	s := synth(t, "autoscaling")
	var body string
	for name, b := range s.dashboards(t) {
		if strings.HasSuffix(name, "churn-xgb") {
			j, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			body = string(j)
		}
	}
	for _, want := range []string{
		`"label":"autoscaling target 831.6 invocations per instance per minute","value":831.6`,
		`asipi * 60 / PERIOD(asipi)`,
		`IF(asipi \u003e 0, asinv / asipi)`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("churn-xgb dashboard lacks %s", want)
		}
	}
}

// A release's stacks (CI) register no scalable target: the long-lived
// stacks own the variant's one target, and destroying a release's stack
// must not remove production's autoscaling. The synth output says why.
func TestAutoscaling_ReleaseStacksLeaveItToTheLongLivedStacks(t *testing.T) {
	cfg, err := config.Load(examples["autoscaling"], &config.Overrides{Release: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	s := synthConfig(t, cfg, "")
	check(t, func() {
		s.tmpl.ResourceCountIs(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), jsii.Number(0))
	})
	check(t, func() {
		assertions.Annotations_FromStack(s.stacks.Monitoring).HasInfo(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("autoscaling of churn-xgb variant AllTraffic is left to the stacks without a release")))
	})
}
