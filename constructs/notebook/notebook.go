// Package notebook makes SageMaker notebook instances publish CPU, memory,
// disk, swap and GPU utilization to CloudWatch, which they do not do by
// default: a lifecycle configuration whose on-start script configures the
// preinstalled CloudWatch agent, the IAM policy the notebook's role needs
// for it, and optionally the notebook instance itself.
package notebook

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssagemaker"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/internal/cwagent"
	"github.com/sagesize/sagesize/internal/keypolicy"
	"github.com/sagesize/sagesize/internal/nagsuppress"
)

// AgentProps configures the CloudWatch agent of one notebook instance.
type AgentProps struct {
	// LifecycleConfigName names the lifecycle configuration.
	LifecycleConfigName string
	// Namespace is the CloudWatch namespace; empty means cwagent.DefaultNamespace.
	Namespace string
	// GPU enables the NVIDIA GPU measurements (GPU instance types only).
	GPU bool
	// Interval is the collection interval; zero means 60s.
	Interval time.Duration
}

// Agent is the lifecycle configuration that starts the CloudWatch agent.
type Agent struct {
	constructs.Construct
	// LifecycleConfig is the AWS::SageMaker::NotebookInstanceLifecycleConfig.
	LifecycleConfig awssagemaker.CfnNotebookInstanceLifecycleConfig
	// Script is the on-start script, AgentConfig the agent configuration it
	// embeds (with cwagent.NamePlaceholder for the notebook name).
	Script      string
	AgentConfig []byte
}

// NewAgent creates the lifecycle configuration. It panics when the script
// cannot be generated, which config validation rules out.
func NewAgent(scope constructs.Construct, id *string, props *AgentProps) *Agent {
	opts := cwagent.Options{Namespace: props.Namespace, GPU: props.GPU, Interval: props.Interval}
	script, err := cwagent.OnStartScript(opts)
	if err != nil {
		panic(fmt.Sprintf("notebook: config not validated: %v", err)) // programmer error
	}
	cfg, err := cwagent.AgentConfig(opts)
	if err != nil {
		panic(fmt.Sprintf("notebook: config not validated: %v", err))
	}
	a := &Agent{Construct: constructs.NewConstruct(scope, id), Script: script, AgentConfig: cfg}
	a.LifecycleConfig = awssagemaker.NewCfnNotebookInstanceLifecycleConfig(a.Construct, jsii.String("LifecycleConfig"),
		&awssagemaker.CfnNotebookInstanceLifecycleConfigProps{
			NotebookInstanceLifecycleConfigName: jsii.String(props.LifecycleConfigName),
			OnStart: &[]any{&awssagemaker.CfnNotebookInstanceLifecycleConfig_NotebookInstanceLifecycleHookProperty{
				Content: jsii.String(base64.StdEncoding.EncodeToString([]byte(script))),
			}},
		})
	return a
}

// PolicyProps configures the metrics policy.
type PolicyProps struct {
	// Namespace is the only namespace the policy lets roles publish to.
	Namespace string
	// RoleNames and RoleArns are existing roles the policy is attached to.
	RoleNames, RoleArns []string
}

// NewMetricsPolicy creates the managed policy a notebook's execution role
// needs so that the agent can publish: cloudwatch:PutMetricData, which IAM
// cannot scope to a resource, limited to one namespace by condition, and
// attached to the named roles.
func NewMetricsPolicy(scope constructs.Construct, id *string, props *PolicyProps) awsiam.CfnManagedPolicy {
	ns := props.Namespace
	if ns == "" {
		ns = cwagent.DefaultNamespace
	}
	pp := &awsiam.CfnManagedPolicyProps{
		Description: jsii.String("Lets the sagesize CloudWatch agent on SageMaker notebook instances publish metrics to " + ns),
		Path:        jsii.String("/"),
		PolicyDocument: map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid": "PublishNotebookMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": ns}},
			}},
		},
	}
	if names := roleNames(props.RoleNames, props.RoleArns); len(names) > 0 {
		roles := make([]any, len(names))
		for i, n := range names {
			roles[i] = n
		}
		pp.Roles = &roles
	}
	p := awsiam.NewCfnManagedPolicy(scope, id, pp)
	nagsuppress.On(p, nagsuppress.Rule{
		ID:        "AwsSolutions-IAM5",
		Reason:    "cloudwatch:PutMetricData supports no resource-level permissions; the statement is limited to the sagesize namespace by the cloudwatch:namespace condition",
		AppliesTo: []string{"Resource::*"},
	})
	return p
}

// roleNames returns the distinct role names of names and arns, in order.
// An ARN's role name is its last path segment (role/service-role/Name).
func roleNames(names, arns []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, a := range arns {
		n := a[strings.LastIndex(a, "/")+1:]
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// InstanceProps describes a notebook instance to create.
type InstanceProps struct {
	Name, InstanceType, RoleArn string
	// LifecycleConfigName is attached so that the agent starts with the notebook.
	LifecycleConfigName *string
	VolumeSizeGB        int
	SubnetID            string
	SecurityGroupIDs    []string
	// KMSKeyArn encrypts the ML storage volume; empty creates a key with rotation.
	KMSKeyArn                        string
	DirectInternetAccess, RootAccess bool
}

// NewInstance creates the notebook instance with the lifecycle configuration attached.
func NewInstance(scope constructs.Construct, id *string, props *InstanceProps) awssagemaker.CfnNotebookInstance {
	c := constructs.NewConstruct(scope, id)
	key := props.KMSKeyArn
	if key == "" {
		k := awskms.NewKey(c, jsii.String("VolumeKey"), &awskms.KeyProps{
			Description:       jsii.String("Encrypts the ML storage volume of notebook instance " + props.Name),
			EnableKeyRotation: jsii.Bool(true),
		})
		k.AddToResourcePolicy(awsiam.PolicyStatement_FromJson(keypolicy.DenyGrantsNotForAWSResources()), jsii.Bool(false))
		key = *k.KeyArn()
	}
	p := &awssagemaker.CfnNotebookInstanceProps{
		NotebookInstanceName: jsii.String(props.Name),
		InstanceType:         jsii.String(props.InstanceType),
		RoleArn:              jsii.String(props.RoleArn),
		LifecycleConfigName:  props.LifecycleConfigName,
		VolumeSizeInGb:       jsii.Number(props.VolumeSizeGB),
		KmsKeyId:             jsii.String(key),
		DirectInternetAccess: jsii.String(enabled(props.DirectInternetAccess)),
		RootAccess:           jsii.String(enabled(props.RootAccess)),
	}
	if props.SubnetID != "" {
		p.SubnetId = jsii.String(props.SubnetID)
		p.SecurityGroupIds = jsii.Strings(props.SecurityGroupIDs...)
	}
	return awssagemaker.NewCfnNotebookInstance(c, jsii.String("Instance"), p)
}

func enabled(b bool) string {
	if b {
		return "Enabled"
	}
	return "Disabled"
}
