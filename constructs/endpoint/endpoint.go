// Package endpoint creates a SageMaker real-time endpoint that serves one
// existing model on several production variants, one per candidate
// instance type of a sizing test, with its endpoint configuration and the
// KMS key of its storage volumes.
package endpoint

import (
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssagemaker"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/internal/keypolicy"
	"github.com/sagesize/sagesize/internal/nagsuppress"
)

// Variant is one production variant: a candidate instance type.
type Variant struct {
	// Name is the production variant name.
	Name string
	// Instance is the variant's instance type from the catalogue.
	Instance catalog.Instance
	// Count is the initial instance count.
	Count int
}

// Props describes the endpoint. Values come from a validated config; the
// construct does not check them again.
type Props struct {
	// EndpointName is the SageMaker endpoint name.
	EndpointName string
	// ModelName is an existing SageMaker model that every variant serves.
	ModelName string
	// Variants are the production variants, in order.
	Variants []Variant
	// EnhancedPeriod, when above zero, turns on enhanced metrics
	// (MetricsConfig: per-instance and per-GPU utilization) published at
	// that period: 10 s or 60 s.
	EnhancedPeriod time.Duration
}

// Endpoint is the created endpoint and its configuration.
type Endpoint struct {
	constructs.Construct
	// Config is the AWS::SageMaker::EndpointConfig. CloudFormation names
	// it, so that a change of variants replaces it and updates the endpoint.
	Config awssagemaker.CfnEndpointConfig
	// Endpoint is the AWS::SageMaker::Endpoint.
	Endpoint awssagemaker.CfnEndpoint
	// Key encrypts the variants' ML storage volumes; nil when a variant
	// runs on an instance type with local storage (see LocalStorage).
	Key awskms.CfnKey
}

// Compliance rules that flag an endpoint configuration without a KMS key
// (cdk-nag's SageMakerEndpointConfigurationKMSKeyConfigured, in its HIPAA,
// NIST 800-53 and PCI DSS packs; AwsSolutions has no such rule).
var kmsKeyRules = []string{
	"HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
	"NIST.800.53.R4-SageMakerEndpointConfigurationKMSKeyConfigured",
	"NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
	"PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured",
}

// LocalStorage returns the variants whose instance type has NVMe instance
// storage. SageMaker encrypts that storage in hardware and rejects an
// endpoint configuration's KmsKeyId when any variant is on such a type
// (CreateEndpointConfig, KmsKeyId).
func LocalStorage(variants []Variant) []string {
	var out []string
	for _, v := range variants {
		if v.Instance.LocalStorage {
			out = append(out, v.Name+" ("+v.Instance.Type+")")
		}
	}
	return out
}

// New creates the endpoint configuration (one variant per candidate, equal
// weights), the endpoint, and, unless a variant's instance type has local
// storage, a customer managed key with rotation for the storage volumes.
func New(scope constructs.Construct, id *string, p *Props) *Endpoint {
	e := &Endpoint{Construct: constructs.NewConstruct(scope, id)}
	variants := make([]any, len(p.Variants))
	for i, v := range p.Variants {
		variants[i] = &awssagemaker.CfnEndpointConfig_ProductionVariantProperty{
			VariantName:          jsii.String(v.Name),
			ModelName:            jsii.String(p.ModelName),
			InstanceType:         jsii.String(v.Instance.Type),
			InitialInstanceCount: jsii.Number(v.Count),
			// Equal weights; a sizing test addresses each variant with
			// TargetVariant, so the weights matter only to untargeted calls.
			InitialVariantWeight: jsii.Number(1),
		}
	}
	props := &awssagemaker.CfnEndpointConfigProps{ProductionVariants: &variants}
	if p.EnhancedPeriod > 0 { // a nil pointer in the interface field would not read as absent
		props.MetricsConfig = metricsConfig(p.EnhancedPeriod)
	}
	local := LocalStorage(p.Variants)
	if len(local) == 0 {
		e.Key = newKey(e.Construct, p.EndpointName)
		props.KmsKeyId = e.Key.AttrArn()
	}
	e.Config = awssagemaker.NewCfnEndpointConfig(e.Construct, jsii.String("Config"), props)
	if len(local) > 0 {
		reason := "SageMaker rejects a KmsKeyId when a variant's instance type has local (NVMe) instance storage, " +
			"which it encrypts in hardware; here: " + strings.Join(local, ", ")
		rules := make([]nagsuppress.Rule, len(kmsKeyRules))
		for i, rule := range kmsKeyRules {
			rules[i] = nagsuppress.Rule{ID: rule, Reason: reason}
		}
		nagsuppress.On(e.Config, rules...)
	}
	e.Endpoint = awssagemaker.NewCfnEndpoint(e.Construct, jsii.String("Endpoint"), &awssagemaker.CfnEndpointProps{
		EndpointName:       jsii.String(p.EndpointName),
		EndpointConfigName: e.Config.AttrEndpointConfigName(),
	})
	return e
}

// metricsConfig is the endpoint configuration's MetricsConfig for enhanced
// metrics at period. Changing it replaces the endpoint configuration,
// which CloudFormation names.
func metricsConfig(period time.Duration) *awssagemaker.CfnEndpointConfig_MetricsConfigProperty {
	return &awssagemaker.CfnEndpointConfig_MetricsConfigProperty{
		EnableEnhancedMetrics:           jsii.Bool(true),
		MetricPublishFrequencyInSeconds: jsii.Number(int(period / time.Second)),
	}
}

// newKey creates the key of the endpoint's ML storage volumes: rotation on,
// administered by the account (SageMaker creates its grants with the
// credentials of whoever creates the endpoint, here CloudFormation's). The
// volumes die with the endpoint, and a sizing stack lives for one test, so
// the key is deleted with the stack after the shortest waiting period
// rather than kept.
func newKey(scope constructs.Construct, endpointName string) awskms.CfnKey {
	key := awskms.NewCfnKey(scope, jsii.String("Key"), &awskms.CfnKeyProps{
		Description:         jsii.String("Encrypts the ML storage volumes of SageMaker endpoint " + endpointName),
		EnableKeyRotation:   jsii.Bool(true),
		PendingWindowInDays: jsii.Number(7),
		KeyPolicy: map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{
				map[string]any{
					"Sid": "AccountAdministers", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
					"Principal": map[string]any{"AWS": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
				},
				keypolicy.DenyGrantsNotForAWSResources(),
			},
		},
	})
	key.ApplyRemovalPolicy(awscdk.RemovalPolicy_DESTROY, nil)
	return key
}
