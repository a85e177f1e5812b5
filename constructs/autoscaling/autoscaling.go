// Package autoscaling registers a SageMaker production variant with
// Application Auto Scaling and gives it a target-tracking scaling policy.
//
// The resources are plain CloudFormation (L1): an
// AWS::ApplicationAutoScaling::ScalableTarget (resource id
// endpoint/<endpoint>/variant/<variant>, dimension
// sagemaker:variant:DesiredInstanceCount) and an
// AWS::ApplicationAutoScaling::ScalingPolicy of type TargetTrackingScaling
// on a predefined SageMaker metric. The scalable target names no role:
// Application Auto Scaling then uses its service-linked role for SageMaker
// (AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint), which it
// creates on first use, so the stack creates no IAM role or policy (the L2
// ScalableTarget would create a role of its own).
package autoscaling

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapplicationautoscaling"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Application Auto Scaling's names for a SageMaker variant's instance count.
const (
	// ServiceNamespace is the namespace of SageMaker's scalable resources.
	ServiceNamespace = "sagemaker"
	// ScalableDimension is a variant's instance count.
	ScalableDimension = "sagemaker:variant:DesiredInstanceCount"
)

// ResourceID is the scalable target's resource id of a variant.
func ResourceID(endpoint, variant string) string {
	return fmt.Sprintf("endpoint/%s/variant/%s", endpoint, variant)
}

// Props describes one variant's scaling. The values come from a validated
// config; the construct does not check them again.
type Props struct {
	// EndpointName and VariantName name the production variant, which
	// must exist when the stack deploys (the scalable target refers to it).
	EndpointName, VariantName string
	// MinInstances and MaxInstances bound the instance count.
	MinInstances, MaxInstances int
	// Metric is the predefined metric type, e.g.
	// SageMakerVariantInvocationsPerInstance.
	Metric string
	// Target is the metric's target value (invocations per instance per
	// minute, or concurrent requests per model).
	Target float64
	// ScaleInCooldown and ScaleOutCooldown are the policy's cooldowns.
	ScaleInCooldown, ScaleOutCooldown time.Duration
	// PolicyName names the scaling policy (unique per scalable target).
	PolicyName string
}

// Scaling is a variant's scalable target and its target-tracking policy.
type Scaling struct {
	constructs.Construct
	// Target is the scalable target.
	Target awsapplicationautoscaling.CfnScalableTarget
	// Policy is the target-tracking policy.
	Policy awsapplicationautoscaling.CfnScalingPolicy
}

// New registers the variant p names as a scalable target and attaches the
// target-tracking policy.
func New(scope constructs.Construct, id *string, p *Props) *Scaling {
	s := &Scaling{Construct: constructs.NewConstruct(scope, id)}
	s.Target = awsapplicationautoscaling.NewCfnScalableTarget(s.Construct, jsii.String("Target"), &awsapplicationautoscaling.CfnScalableTargetProps{
		ServiceNamespace:  jsii.String(ServiceNamespace),
		ResourceId:        jsii.String(ResourceID(p.EndpointName, p.VariantName)),
		ScalableDimension: jsii.String(ScalableDimension),
		MinCapacity:       jsii.Number(p.MinInstances),
		MaxCapacity:       jsii.Number(p.MaxInstances),
	})
	s.Policy = awsapplicationautoscaling.NewCfnScalingPolicy(s.Construct, jsii.String("Policy"), &awsapplicationautoscaling.CfnScalingPolicyProps{
		PolicyName:      jsii.String(p.PolicyName),
		PolicyType:      jsii.String("TargetTrackingScaling"),
		ScalingTargetId: s.Target.Ref(),
		TargetTrackingScalingPolicyConfiguration: &awsapplicationautoscaling.CfnScalingPolicy_TargetTrackingScalingPolicyConfigurationProperty{
			TargetValue: jsii.Number(p.Target),
			PredefinedMetricSpecification: &awsapplicationautoscaling.CfnScalingPolicy_PredefinedMetricSpecificationProperty{
				PredefinedMetricType: jsii.String(p.Metric),
			},
			ScaleInCooldown:  jsii.Number(int(p.ScaleInCooldown / time.Second)),
			ScaleOutCooldown: jsii.Number(int(p.ScaleOutCooldown / time.Second)),
		},
	})
	return s
}
