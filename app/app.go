// Package app assembles the sagesize stacks from a validated config. It is
// the importable heart of main.go, so that tests synthesize exactly what
// `cdk synth` does.
package app

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/constructs/monitoring"
	"github.com/sagesize/sagesize/constructs/notebook"
	"github.com/sagesize/sagesize/internal/cwagent"
)

// Stacks are the stacks New created.
type Stacks struct {
	// Monitoring holds the dashboards, alarms and notification topic.
	Monitoring awscdk.Stack
	// Facade is the monitoring facade inside Monitoring.
	Facade *monitoring.Facade
}

// New adds the sagesize stacks for cfg to scope (normally the CDK App).
// cfg must have been validated by config.Load or config.Parse.
func New(scope constructs.Construct, cfg *config.Config) *Stacks {
	props := &awscdk.StackProps{
		StackName:   jsii.String(cfg.StackName()),
		Description: jsii.String(fmt.Sprintf("sagesize: CloudWatch dashboards and alarms for %d SageMaker endpoint(s) and %d notebook instance(s) of %s", len(cfg.Endpoints), len(cfg.Notebooks), cfg.Prefix())),
		Tags: &map[string]*string{
			"sagesize:project": jsii.String(cfg.Project),
		},
	}
	if cfg.Release != "" {
		(*props.Tags)["sagesize:release"] = jsii.String(cfg.Release)
	}
	if cfg.Account != "" {
		props.Env = &awscdk.Environment{Account: jsii.String(cfg.Account), Region: jsii.String(cfg.Region)}
	}
	stack := awscdk.NewStack(scope, jsii.String(cfg.StackName()), props)

	topicArn := cfg.Notifications.TopicArn
	if topicArn == "" {
		topicArn = *newTopic(stack, cfg).TopicArn()
	}
	actions := monitoring.Actions{CriticalActions: nil, CompositeActions: []string{topicArn}}
	if cfg.Notifications.NotifyWarnings() {
		actions.WarningActions = []string{topicArn}
	}
	awscdk.NewCfnOutput(stack, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{
		Value:       jsii.String(topicArn),
		Description: jsii.String("SNS topic that sagesize alarms notify"),
	})

	f := monitoring.NewFacade(stack, jsii.String("Monitoring"), &monitoring.FacadeProps{Prefix: cfg.Prefix(), Actions: actions})
	for i := range cfg.Endpoints {
		e := &cfg.Endpoints[i]
		ev := cfg.EvaluationFor(e)
		variants := make([]monitoring.Variant, len(e.Variants))
		for j, v := range e.Variants {
			inst, err := cfg.Catalog.Lookup(v.InstanceType)
			if err != nil {
				panic(fmt.Sprintf("app: config not validated: %v", err)) // programmer error
			}
			variants[j] = monitoring.Variant{Name: v.Name, Count: v.Count(), Instance: inst}
		}
		m := f.AddEndpoint(jsii.String("Endpoint-"+e.Name), &monitoring.EndpointMonitorProps{
			EndpointName:  e.Name,
			Variants:      variants,
			SLOPercentile: e.SLO.Percentile.String(),
			SLOLatency:    e.SLO.Latency.Duration,
			Alarms:        e.Alarms,
			Evaluation: monitoring.Evaluation{
				Period:            ev.Period.Duration,
				EvaluationPeriods: ev.EvaluationPeriods,
				DatapointsToAlarm: ev.DatapointsToAlarm,
			},
		})
		awscdk.NewCfnOutput(stack, jsii.String("Dashboard-"+e.Name), &awscdk.CfnOutputProps{
			Value:       awscdk.Fn_Sub(jsii.String(monitoring.DashboardURL(m.DashboardName())), nil),
			Description: jsii.String("CloudWatch dashboard of endpoint " + e.Name),
		})
	}
	if len(cfg.Notebooks) > 0 {
		addNotebooks(stack, f, cfg)
	}
	return &Stacks{Monitoring: stack, Facade: f}
}

// addNotebooks creates, per notebook instance, the lifecycle configuration
// that starts the CloudWatch agent, optionally the notebook itself, and its
// dashboard and alarms; plus one managed policy for all their roles.
func addNotebooks(stack awscdk.Stack, f *monitoring.Facade, cfg *config.Config) {
	var roleNames, roleArns []string
	for _, n := range cfg.Notebooks {
		if n.AttachPolicyToRole != "" {
			roleNames = append(roleNames, n.AttachPolicyToRole)
		}
		if n.Create != nil {
			roleArns = append(roleArns, n.Create.RoleArn)
		}
	}
	// The policy comes first: a notebook the stack creates starts at once,
	// and its agent can publish only when its role carries the policy.
	policy := notebook.NewMetricsPolicy(stack, jsii.String("NotebookMetricsPolicy"), &notebook.PolicyProps{
		Namespace: cwagent.DefaultNamespace, RoleNames: roleNames, RoleArns: roleArns,
	})
	awscdk.NewCfnOutput(stack, jsii.String("NotebookMetricsPolicyArn"), &awscdk.CfnOutputProps{
		Value:       policy.ManagedPolicyArn(),
		Description: jsii.String("Attach to each notebook instance's execution role so that its CloudWatch agent can publish"),
	})
	for i := range cfg.Notebooks {
		n := &cfg.Notebooks[i]
		inst, err := cfg.Catalog.Lookup(n.InstanceType)
		if err != nil {
			panic(fmt.Sprintf("app: config not validated: %v", err)) // programmer error
		}
		lcc := cfg.LifecycleConfigName(n)
		agent := notebook.NewAgent(stack, jsii.String("NotebookAgent-"+n.Name), &notebook.AgentProps{
			LifecycleConfigName: lcc,
			Namespace:           cwagent.DefaultNamespace,
			GPU:                 inst.GPUs() > 0,
			Interval:            n.Interval(),
		})
		awscdk.NewCfnOutput(stack, jsii.String("LifecycleConfig-"+n.Name), &awscdk.CfnOutputProps{
			Value:       agent.LifecycleConfig.AttrNotebookInstanceLifecycleConfigName(),
			Description: jsii.String("Lifecycle configuration that makes notebook instance " + n.Name + " publish utilization metrics"),
		})
		if cr := n.Create; cr != nil {
			instance := notebook.NewInstance(stack, jsii.String("Notebook-"+n.Name), &notebook.InstanceProps{
				Name: n.Name, InstanceType: n.InstanceType, RoleArn: cr.RoleArn,
				LifecycleConfigName: agent.LifecycleConfig.AttrNotebookInstanceLifecycleConfigName(),
				VolumeSizeGB:        cr.VolumeSizeGB, SubnetID: cr.SubnetID, SecurityGroupIDs: cr.SecurityGroupIDs,
				KMSKeyArn: cr.KMSKeyArn, DirectInternetAccess: cr.DirectInternetAccess, RootAccess: cr.RootAccess,
			})
			instance.Node().AddDependency(policy)
		}
		ev := cfg.EvaluationForNotebook(n)
		m := f.AddNotebook(jsii.String("Notebook-"+n.Name), &monitoring.NotebookMonitorProps{
			NotebookName:        n.Name,
			Instance:            inst,
			Namespace:           cwagent.DefaultNamespace,
			Interval:            n.Interval(),
			LifecycleConfigName: lcc,
			Alarms:              n.Alarms,
			Evaluation: monitoring.Evaluation{
				Period:            ev.Period.Duration,
				EvaluationPeriods: ev.EvaluationPeriods,
				DatapointsToAlarm: ev.DatapointsToAlarm,
			},
		})
		awscdk.NewCfnOutput(stack, jsii.String("Dashboard-"+n.Name), &awscdk.CfnOutputProps{
			Value:       awscdk.Fn_Sub(jsii.String(monitoring.DashboardURL(m.DashboardName())), nil),
			Description: jsii.String("CloudWatch dashboard of notebook instance " + n.Name),
		})
	}
}

// newTopic creates the alarm topic: encrypted with a customer managed key
// (CloudWatch cannot publish to a topic under the AWS managed SNS key),
// reachable over TLS only, and open to CloudWatch alarms of this account.
func newTopic(stack awscdk.Stack, cfg *config.Config) awssns.Topic {
	key := awskms.NewKey(stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the sagesize alarm topic of " + cfg.Prefix()),
		EnableKeyRotation: jsii.Bool(true),
	})
	cloudwatch := awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToUseTheKey"),
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"), // in a key policy "*" means this key
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()}},
	}), jsii.Bool(false))

	topic := awssns.NewTopic(stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("sagesize alarms " + cfg.Prefix()),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToPublish"),
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			"ArnLike":      map[string]any{"aws:SourceArn": awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:"+cfg.Prefix()+"-*"), nil)},
		},
	}))
	for _, e := range cfg.Notifications.Emails {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(e), nil))
	}
	return topic
}
