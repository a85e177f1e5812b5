package autoscaling

import (
	"os"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// check runs a CDK assertion, which panics on failure, as a test error.
func check(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}

// The variant is registered by resource id and dimension with its bounds,
// the policy tracks the predefined metric at the target with the
// cooldowns in seconds, and no IAM role is created (the service-linked
// role applies).
func TestNew_ScalableTargetAndTargetTrackingPolicy(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	New(stack, jsii.String("Scaling"), &Props{
		EndpointName: "churn-xgb", VariantName: "AllTraffic", MinInstances: 2, MaxInstances: 8,
		Metric: "SageMakerVariantInvocationsPerInstance", Target: 831.6,
		ScaleInCooldown: 5 * time.Minute, ScaleOutCooldown: time.Minute, PolicyName: "churn-churn-xgb-AllTraffic-target-tracking",
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), &map[string]any{
			"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/churn-xgb/variant/AllTraffic",
			"ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": 2, "MaxCapacity": 8,
			"RoleARN": assertions.Match_Absent(),
		})
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalingPolicy"), &map[string]any{
			"PolicyType":      "TargetTrackingScaling",
			"ScalingTargetId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ScalingTarget"))},
			"TargetTrackingScalingPolicyConfiguration": map[string]any{
				"TargetValue":                   831.6,
				"PredefinedMetricSpecification": map[string]any{"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
				"ScaleInCooldown":               300, "ScaleOutCooldown": 60,
			},
		})
	})
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(0)) })
}
