package app

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/constructs/autoscaling"
	"github.com/sagesize/sagesize/constructs/monitoring"
)

// autoscalingResources is what one autoscaled variant adds to its stack:
// the scalable target and the policy.
const autoscalingResources = 2

// addAutoscaling registers every variant of e that asks for autoscaling
// as a scalable target with its target-tracking policy, under scope (the
// endpoint's monitoring, in the endpoint's stack). A release's stacks
// leave it to the long-lived stacks unless releaseStacks.autoscaling says
// otherwise, and say so in the synth output.
func addAutoscaling(scope constructs.Construct, cfg *config.Config, e *config.Endpoint) {
	for _, v := range e.Variants {
		a := v.Autoscaling
		if a == nil {
			continue
		}
		if !cfg.CreatesAutoscaling() {
			awscdk.Annotations_Of(scope).AddInfo(jsii.String(fmt.Sprintf("autoscaling of %s variant %s is left to the stacks without a release, which own its scalable target (releaseStacks.autoscaling: true registers it here too)", e.Name, v.Name)))
			continue
		}
		autoscaling.New(scope, jsii.String("Autoscaling-"+v.Name), &autoscaling.Props{
			EndpointName: e.Name, VariantName: v.Name,
			MinInstances: a.MinInstances, MaxInstances: a.MaxInstances,
			Metric: a.MetricName(), Target: a.Target,
			ScaleInCooldown: a.ScaleIn(), ScaleOutCooldown: a.ScaleOut(),
			PolicyName: cfg.Prefix() + "-" + e.NameInResources() + "-" + v.Name + "-target-tracking",
		})
	}
}

// autoscalingFootprint is the resources e's autoscaling adds to its stack.
func autoscalingFootprint(cfg *config.Config, e *config.Endpoint) int {
	if !cfg.CreatesAutoscaling() {
		return 0
	}
	n := 0
	for _, v := range e.Variants {
		if v.Autoscaling != nil {
			n += autoscalingResources
		}
	}
	return n
}

// monitoringAutoscaling is v's policy as its dashboard shows it, nil without one.
func monitoringAutoscaling(v config.Variant) *monitoring.Autoscaling {
	a := v.Autoscaling
	if a == nil {
		return nil
	}
	return &monitoring.Autoscaling{Metric: a.MetricName(), Target: a.Target, MinInstances: a.MinInstances, MaxInstances: a.MaxInstances}
}
