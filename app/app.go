// Package app assembles the sagesize stacks from a validated config. It is
// the importable heart of main.go, so that tests synthesize exactly what
// `cdk synth` does.
package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/constructs/endpoint"
	"github.com/sagesize/sagesize/constructs/loadtest"
	"github.com/sagesize/sagesize/constructs/monitoring"
	"github.com/sagesize/sagesize/constructs/notebook"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/internal/cwagent"
	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/shard"
)

// Stacks are the stacks New created.
type Stacks struct {
	// Monitoring is the core stack <prefix>-monitoring: the alarm topic, the
	// notebooks and the endpoints of stack 0. It is Shards[0].
	Monitoring awscdk.Stack
	// Facade is the monitoring facade inside Monitoring.
	Facade *monitoring.Facade
	// Shards are the endpoint stacks, <prefix>-monitoring then
	// <prefix>-monitoring-1, -2, ...; Facades are their facades.
	Shards  []awscdk.Stack
	Facades []*monitoring.Facade
	// Overview is <prefix>-overview with the fleet dashboards when there
	// are several endpoint stacks; with one, the overview dashboards are in
	// Monitoring; with fewer than two endpoints there is none.
	Overview awscdk.Stack
	// Plan is the assignment of endpoints to shards.
	Plan *shard.Plan
	// LoadTest is <prefix>-loadtest, the load-test cluster and task; nil
	// when no endpoint has a load test.
	LoadTest awscdk.Stack
	// Sizing is <prefix>-sizing, the endpoint that config sizing: tests;
	// nil without sizing. The load-test stack deploys after it.
	Sizing awscdk.Stack
}

// All returns every stack: the endpoint stacks (the core one first), then
// the overview, sizing and load-test stacks that exist.
func (st *Stacks) All() []awscdk.Stack {
	all := append([]awscdk.Stack{}, st.Shards...)
	for _, s := range []awscdk.Stack{st.Overview, st.Sizing, st.LoadTest} {
		if s != nil {
			all = append(all, s)
		}
	}
	return all
}

// Core stack contents that are not endpoints, as the shard plan counts them.
const (
	coreResources     = 6 // key, topic, topic policy, metadata, outputs' slack
	coreBytes         = 20_000
	notebookResources = 16 // lifecycle config, alarms, composite, dashboard, key, instance
	notebookBytes     = 60_000
)

// Options are what the app needs besides the config.
type Options struct {
	// LoadgenImage is the loadgen container image of the load-test task
	// (main builds it from the Dockerfile; tests pass a registry image). A
	// config's loadTest.image wins over it.
	LoadgenImage awsecs.ContainerImage
}

// New adds the sagesize stacks for cfg to scope (normally the CDK App).
// cfg must have been validated by config.Load or config.Parse; o may be
// nil when no endpoint has a load test. It fails when the endpoints cannot
// be spread within CloudFormation's limits (for example with too few
// pinned stacks).
func New(scope constructs.Construct, cfg *config.Config, o *Options) (*Stacks, error) {
	prefix := cfg.Prefix()
	props, plan, err := PlanShards(cfg)
	if err != nil {
		return nil, err
	}
	st := &Stacks{Plan: plan}
	core := newStack(scope, cfg, cfg.StackName(), fmt.Sprintf("alarm topic, %d notebook instance(s) and endpoint stack 0 of %d", len(cfg.Notebooks), plan.Stacks))
	st.Monitoring = core
	topicArn := cfg.Notifications.TopicArn
	coreTopic := topicArn
	if topicArn == "" {
		coreTopic = *newTopic(core, cfg)
		// Other stacks name the topic by ARN, so that no stack exports a
		// value that would pin the topic.
		topicArn = "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:" + topicName(cfg)
	}
	awscdk.NewCfnOutput(core, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{
		Value:       jsii.String(coreTopic),
		Description: jsii.String("SNS topic that sagesize alarms notify"),
	})

	for i := range plan.Stacks {
		stack, arn := core, coreTopic
		if i > 0 {
			stack = newStack(scope, cfg, fmt.Sprintf("%s-%d", cfg.StackName(), i), fmt.Sprintf("endpoint stack %d of %d", i, plan.Stacks))
			// Deploy in order: an endpoint that moves when the stack count
			// grows moves into the new last stack, which then deploys after
			// the stack that deletes its old alarms of the same names.
			stack.AddStackDependency(st.Shards[i-1], jsii.String("endpoints move only into later stacks"))
			arn = topicArn
			if cfg.Notifications.TopicArn == "" {
				arn = *awscdk.Fn_Sub(jsii.String(topicArn), nil)
			}
		}
		actions := monitoring.Actions{CompositeActions: []string{arn}}
		if cfg.Notifications.NotifyWarnings() {
			actions.WarningActions = []string{arn}
		}
		st.Shards = append(st.Shards, stack)
		st.Facades = append(st.Facades, monitoring.NewFacade(stack, jsii.String("Monitoring"), &monitoring.FacadeProps{Prefix: prefix, Actions: actions}))
	}
	st.Facade = st.Facades[0]

	// One region token for every output, rather than one Fn::Sub call each.
	region := *awscdk.Aws_REGION()
	var overview []monitoring.OverviewEndpoint
	for i := range cfg.Endpoints {
		e := &cfg.Endpoints[i]
		s := plan.Of[e.Name]
		m := st.Facades[s].AddEndpoint(jsii.String("Endpoint-"+e.Name), props[i])
		awscdk.NewCfnOutput(st.Shards[s], jsii.String("Dashboard-"+e.Name), &awscdk.CfnOutputProps{
			Value:       jsii.String(strings.Replace(monitoring.DashboardURL(m.DashboardName()), dashboard.Region, region, 1)),
			Description: jsii.String("CloudWatch dashboard of endpoint " + e.Name),
		})
		overview = append(overview, monitoring.OverviewEndpoint{
			Name: e.Name, Variants: props[i].Variants, SLOPercentile: props[i].SLOPercentile, SLOLatency: props[i].SLOLatency,
			DashboardName: m.DashboardName(), CompositeName: m.CompositeName, Stack: s,
		})
	}
	if len(cfg.Notebooks) > 0 {
		addNotebooks(core, st.Facade, cfg)
	}
	if len(overview) >= 2 {
		op := &monitoring.OverviewProps{Prefix: prefix, Endpoints: overview, Stacks: plan.Stacks}
		bytes, err := monitoring.OverviewTemplateBytes(op)
		if err != nil {
			return nil, err
		}
		if limit := shard.Hard().TemplateBytes; bytes > limit {
			return nil, fmt.Errorf("the overview of %d endpoints needs about %d template bytes, more than the %d one stack may hold: split the endpoints into several configs (projects)", len(overview), bytes, limit)
		}
		// With one endpoint stack the overview lives in it; a fleet gets an
		// overview stack that deploys last. When a fleet outgrows one stack
		// the overview moves safely: the core stack deletes its dashboards
		// before the overview stack, deployed after it, creates them again.
		home := core
		if plan.Stacks > 1 {
			st.Overview = newStack(scope, cfg, prefix+"-overview", fmt.Sprintf("fleet overview of %d endpoints", len(overview)))
			st.Overview.AddStackDependency(st.Shards[len(st.Shards)-1], jsii.String("the overview lists every stack's alarms"))
			home = st.Overview
		}
		o := monitoring.NewOverview(home, jsii.String("Overview"), op)
		for i, name := range o.Names {
			awscdk.NewCfnOutput(home, jsii.String(fmt.Sprintf("Overview%d", i+1)), &awscdk.CfnOutputProps{
				Value:       jsii.String(strings.Replace(monitoring.DashboardURL(name), dashboard.Region, region, 1)),
				Description: jsii.String("Fleet overview dashboard"),
			})
		}
	}
	if cfg.Sizing != nil {
		st.Sizing = addSizing(scope, cfg)
	}
	if cfg.NeedsLoadTest() {
		if err := addLoadTest(scope, cfg, o, st); err != nil {
			return nil, err
		}
		if st.Sizing != nil {
			// The load test drives the sizing endpoint, which must exist
			// first; the monitoring stacks only name it and need no order.
			st.LoadTest.AddStackDependency(st.Sizing, jsii.String("the load test drives the sizing endpoint"))
		}
	}
	return st, nil
}

// addSizing creates the sizing stack: the endpoint serving cfg.Sizing.Model
// on every candidate, and outputs naming it and its variants.
func addSizing(scope constructs.Construct, cfg *config.Config) awscdk.Stack {
	s := cfg.Sizing
	variants := make([]endpoint.Variant, len(s.Candidates))
	desc := make([]string, len(s.Candidates))
	for i, c := range s.Candidates {
		inst, err := cfg.Catalog.Lookup(c.InstanceType)
		if err != nil {
			panic(fmt.Sprintf("app: config not validated: %v", err)) // programmer error
		}
		variants[i] = endpoint.Variant{Name: c.Name, Instance: inst, Count: c.Count()}
		desc[i] = fmt.Sprintf("%s:%s:%d", c.Name, c.InstanceType, c.Count())
	}
	stack := newStack(scope, cfg, cfg.SizingStackName(), fmt.Sprintf("sizing endpoint %s, model %s on %d candidate instance type(s)", s.Endpoint, s.Model, len(variants)))
	e := endpoint.New(stack, jsii.String("Sizing"), &endpoint.Props{EndpointName: s.Endpoint, ModelName: s.Model, Variants: variants})
	out := func(id, d string, v *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: v, Description: jsii.String(d)})
	}
	out("Endpoint", "SageMaker endpoint of the sizing test", e.Endpoint.AttrEndpointName())
	out("EndpointConfig", "Its endpoint configuration", e.Config.AttrEndpointConfigName())
	out("Variants", "Production variants as name:instanceType:count, comma-separated", jsii.String(strings.Join(desc, ",")))
	return stack
}

// addLoadTest creates the load-test stack and its outputs, which `sagesize
// run` reads to start tasks.
func addLoadTest(scope constructs.Construct, cfg *config.Config, o *Options, st *Stacks) error {
	lt := cfg.LoadTest
	var image awsecs.ContainerImage
	switch {
	case lt.Image != "":
		image = awsecs.ContainerImage_FromRegistry(jsii.String(lt.Image), nil)
	case o != nil && o.LoadgenImage != nil:
		image = o.LoadgenImage
	default:
		return errors.New("a load test needs the loadgen image: set loadTest.image or build it from the Dockerfile (app.Options.LoadgenImage)")
	}
	var endpoints, payloads []string
	seen := map[string]bool{}
	for _, e := range cfg.Endpoints {
		if e.LoadTest == nil {
			continue
		}
		endpoints = append(endpoints, e.Name)
		if e.LoadTest.Payload != "" && !seen[e.LoadTest.Payload] {
			seen[e.LoadTest.Payload] = true
			payloads = append(payloads, e.LoadTest.Payload)
		}
	}
	name := cfg.LoadTestStackName()
	stack := newStack(scope, cfg, name, fmt.Sprintf("load-test cluster and loadgen task for %d endpoint(s)", len(endpoints)))
	st.LoadTest = stack
	l := loadtest.New(stack, jsii.String("LoadTest"), &loadtest.Props{
		Endpoints: endpoints, Payloads: payloads, Namespace: loadgen.DefaultNamespace, Image: image,
		CPU: lt.CPU, MemoryMiB: lt.MemoryMiB, Architecture: lt.Architecture,
		VpcID: lt.VpcID, SubnetIDs: lt.SubnetIDs, AssignPublicIP: lt.AssignPublicIP,
		ContainerInsights: lt.ContainerInsights, LogRetentionDays: lt.LogRetentionDays,
	})
	public := "DISABLED"
	if l.AssignPublicIP {
		public = "ENABLED"
	}
	subnets := awscdk.Fn_Join(jsii.String(","), jsii.Strings(l.Subnets...))
	out := func(id, desc string, v *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: v, Description: jsii.String(desc)})
	}
	out(loadplan.OutputCluster, "ECS cluster that runs the load-test tasks", l.Cluster.Ref())
	out(loadplan.OutputTaskDefinition, "Fargate task definition of loadgen", l.TaskDefinition.TaskDefinitionArn())
	out(loadplan.OutputSubnets, "Subnets the tasks run in", subnets)
	out(loadplan.OutputSecurityGroup, "Security group of the tasks (no inbound rules)", l.SecurityGroup.AttrGroupId())
	out(loadplan.OutputAssignPublicIP, "Whether tasks need a public IP to reach AWS", jsii.String(public))
	out(loadplan.OutputContainerName, "loadgen's container name, for overrides", jsii.String(loadtest.ContainerName))
	out(loadplan.OutputLogGroup, "Log group of the tasks (JSON lines of intervals and the summary)", l.LogGroup.LogGroupName())
	e := cfg.Endpoints[0]
	for _, c := range cfg.Endpoints {
		if c.LoadTest != nil {
			e = c
			break
		}
	}
	cmd := awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("aws ecs run-task --launch-type FARGATE --count 1 --started-by sagesize --cluster "), l.Cluster.Ref(),
		jsii.String(" --task-definition "), l.TaskDefinition.TaskDefinitionArn(),
		jsii.String(" --network-configuration 'awsvpcConfiguration={subnets=["), subnets,
		jsii.String("],securityGroups=["), l.SecurityGroup.AttrGroupId(),
		jsii.String("],assignPublicIp=" + public + "}' --overrides '{\"containerOverrides\":[{\"name\":\"" + loadtest.ContainerName +
			"\",\"environment\":[{\"name\":\"" + loadplan.EnvEndpoint + "\",\"value\":\"" + e.Name + "\"}," + bodyOverride(e.LoadTest) +
			",{\"name\":\"" + loadplan.EnvRate + "\",\"value\":\"10\"},{\"name\":\"" + loadplan.EnvDuration + "\",\"value\":\"5m\"}]}]}'"),
	})
	out(loadplan.OutputRunTaskCommand, "One loadgen task without the sagesize CLI (10 req/s for 5 minutes; see README)", cmd)
	return nil
}

// bodyOverride is the request body's environment override in the
// RunTaskCommand: JSON, then quoted for the shell's single quotes.
func bodyOverride(t *config.EndpointLoadTest) string {
	name, value := loadplan.EnvPayload, t.Payload
	if t.Body != "" {
		name, value = loadplan.EnvBody, t.Body
	}
	b, _ := json.Marshal(map[string]string{"name": name, "value": value}) // a map of strings always marshals
	// encoding/json sorts keys: {"name":…,"value":…}.
	return strings.ReplaceAll(string(b), "'", `'\''`)
}

// PlanShards plans the monitoring of every endpoint and assigns each to a
// stack, without creating anything (no jsii runtime is needed). It returns
// the endpoints' monitoring props in config order and the plan.
func PlanShards(cfg *config.Config) ([]*monitoring.EndpointMonitorProps, *shard.Plan, error) {
	props := make([]*monitoring.EndpointMonitorProps, len(cfg.Endpoints))
	items := make([]shard.Item, len(cfg.Endpoints))
	for i := range cfg.Endpoints {
		props[i] = endpointProps(cfg, &cfg.Endpoints[i])
		fp, err := monitoring.EndpointFootprint(cfg.Prefix(), props[i])
		if err != nil {
			return nil, nil, fmt.Errorf("plan endpoint %s: %w", cfg.Endpoints[i].Name, err)
		}
		items[i] = shard.Item{Name: cfg.Endpoints[i].Name, Load: shard.Load{Resources: fp.Resources, TemplateBytes: fp.TemplateBytes, Outputs: 1}}
	}
	base := shard.Load{
		Resources:     coreResources + len(cfg.Notebooks)*notebookResources + len(cfg.Notifications.Emails),
		TemplateBytes: coreBytes + len(cfg.Notebooks)*notebookBytes,
		Outputs:       2 + 2*len(cfg.Notebooks),
	}
	plan, err := shard.Assign(items, &shard.Options{Stacks: cfg.Sharding.Stacks, Base: base})
	if err != nil {
		return nil, nil, fmt.Errorf("spread %d endpoints across stacks: %w", len(items), err)
	}
	return props, plan, nil
}

// newStack creates one sagesize stack named name.
func newStack(scope constructs.Construct, cfg *config.Config, name, what string) awscdk.Stack {
	props := &awscdk.StackProps{
		StackName:   jsii.String(name),
		Description: jsii.String(fmt.Sprintf("sagesize %s: %s", cfg.Prefix(), what)),
		Tags:        &map[string]*string{"sagesize:project": jsii.String(cfg.Project)},
	}
	if cfg.Release != "" {
		(*props.Tags)["sagesize:release"] = jsii.String(cfg.Release)
	}
	if cfg.Account != "" {
		props.Env = &awscdk.Environment{Account: jsii.String(cfg.Account), Region: jsii.String(cfg.Region)}
	}
	return awscdk.NewStack(scope, jsii.String(name), props)
}

// endpointProps turns a validated config endpoint into monitoring props.
func endpointProps(cfg *config.Config, e *config.Endpoint) *monitoring.EndpointMonitorProps {
	ev := cfg.EvaluationFor(e)
	variants := make([]monitoring.Variant, len(e.Variants))
	for j, v := range e.Variants {
		inst, err := cfg.Catalog.Lookup(v.InstanceType)
		if err != nil {
			panic(fmt.Sprintf("app: config not validated: %v", err)) // programmer error
		}
		variants[j] = monitoring.Variant{Name: v.Name, Count: v.Count(), Instance: inst}
	}
	ns := ""
	if e.LoadTest != nil {
		ns = loadgen.DefaultNamespace
	}
	desc := ""
	if e.Sizing {
		desc = fmt.Sprintf("Sizing test of model %s: stack %s creates this endpoint, one variant per candidate instance type; the test breaks the SLO on purpose.",
			cfg.Sizing.Model, cfg.SizingStackName())
	}
	return &monitoring.EndpointMonitorProps{
		Description:       desc,
		Muted:             e.Sizing,
		LoadTestNamespace: ns,
		EndpointName:      e.Name,
		Variants:          variants,
		SLOPercentile:     e.SLO.Percentile.String(),
		SLOLatency:        e.SLO.Latency.Duration,
		Alarms:            e.Alarms,
		Evaluation: monitoring.Evaluation{
			Period:            ev.Period.Duration,
			EvaluationPeriods: ev.EvaluationPeriods,
			DatapointsToAlarm: ev.DatapointsToAlarm,
		},
	}
}

// topicName is the alarm topic's name, fixed so that every stack can
// address it by ARN.
func topicName(cfg *config.Config) string { return cfg.Prefix() + "-alarms" }

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
		Value:       policy.Ref(),
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

// newTopic creates the alarm topic and returns its ARN: encrypted with a
// customer managed key (CloudWatch cannot publish to a topic under the AWS
// managed SNS key), reachable over TLS only, and open to this account's
// CloudWatch alarms of this prefix. Plain CloudFormation resources with
// policy documents written out: a handful of jsii calls instead of the
// dozens the L2 Key, Topic and PolicyStatement classes make.
func newTopic(stack awscdk.Stack, cfg *config.Config) *string {
	account := map[string]any{"Ref": "AWS::AccountId"}
	key := awskms.NewCfnKey(stack, jsii.String("AlarmTopicKey"), &awskms.CfnKeyProps{
		Description:       jsii.String("Encrypts the sagesize alarm topic of " + cfg.Prefix()),
		EnableKeyRotation: jsii.Bool(true),
		KeyPolicy: map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{
				map[string]any{
					"Sid": "AccountAdministers", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
					"Principal": map[string]any{"AWS": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
				},
				map[string]any{
					"Sid": "AllowCloudWatchAlarmsToUseTheKey", "Effect": "Allow",
					"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
					"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey*"},
					"Resource":  "*", // in a key policy "*" means this key
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
				},
			},
		},
	})
	key.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	topic := awssns.NewCfnTopic(stack, jsii.String("AlarmTopic"), &awssns.CfnTopicProps{
		TopicName:      jsii.String(topicName(cfg)),
		DisplayName:    jsii.String("sagesize alarms " + cfg.Prefix()),
		KmsMasterKeyId: key.AttrArn(),
	})
	arn := topic.Ref()
	awssns.NewCfnTopicPolicy(stack, jsii.String("AlarmTopicPolicy"), &awssns.CfnTopicPolicyProps{
		Topics: &[]*string{arn},
		PolicyDocument: map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{
				map[string]any{
					"Sid": "AllowPublishThroughSSLOnly", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": arn,
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				},
				map[string]any{
					"Sid": "AllowCloudWatchAlarmsToPublish", "Effect": "Allow",
					"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
					"Action":    "sns:Publish", "Resource": arn,
					"Condition": map[string]any{
						"StringEquals": map[string]any{"aws:SourceAccount": account},
						"ArnLike":      map[string]any{"aws:SourceArn": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:" + cfg.Prefix() + "-*"}},
					},
				},
			},
		},
	})
	for i, e := range cfg.Notifications.Emails {
		awssns.NewCfnSubscription(stack, jsii.String(fmt.Sprintf("AlarmTopicEmail%d", i)), &awssns.CfnSubscriptionProps{
			TopicArn: arn, Protocol: jsii.String("email"), Endpoint: jsii.String(e),
		})
	}
	return arn
}
