// Package app assembles the sagesize stacks from a validated config. It is
// the importable heart of main.go, so that tests synthesize exactly what
// `cdk synth` does.
package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/constructs/alarmtopic"
	"github.com/sagesize/sagesize/constructs/endpoint"
	"github.com/sagesize/sagesize/constructs/loadtest"
	"github.com/sagesize/sagesize/constructs/monitoring"
	"github.com/sagesize/sagesize/constructs/notebook"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
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
	// Shared is <prefix>-shared with the shared dashboards of the shared
	// layout when there are several endpoint stacks; with one, they are in
	// Monitoring.
	Shared awscdk.Stack
	// Plan is the assignment of endpoints to shards.
	Plan *shard.Plan
	// LoadTest is <prefix>-loadtest, the load-test cluster and task; nil
	// when no endpoint has a load test.
	LoadTest awscdk.Stack
	// Sizing is <prefix>-sizing, the endpoint that config sizing: tests;
	// nil without sizing. The load-test stack deploys after it.
	Sizing awscdk.Stack

	// outputs map, per endpoint stack, an output's natural construct id
	// (Dashboard-<name>) to one whose logical id no other output of the
	// stack shares (see outputIDs).
	outputs []map[string]string
}

// All returns every stack: the endpoint stacks (the core one first), then
// the overview, shared-dashboard, sizing and load-test stacks that exist.
func (st *Stacks) All() []awscdk.Stack {
	all := append([]awscdk.Stack{}, st.Shards...)
	for _, s := range []awscdk.Stack{st.Overview, st.Shared, st.Sizing, st.LoadTest} {
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
	// Now is the synthesis time, from which the sizing endpoint's deadline
	// counts (main takes it from the context value sagesize:now, default
	// the clock); required with sizing.
	Now time.Time
}

// New adds the sagesize stacks for cfg to scope (normally the CDK App).
// cfg must have been validated by config.Load or config.Parse; o may be
// nil when no endpoint has a load test. It fails when the endpoints cannot
// be spread within CloudFormation's limits (for example with too few
// pinned stacks).
//
// The steps: plan every endpoint and assign it to a stack; create the core
// stack with the alarm topic, then the other endpoint stacks; build each
// endpoint's planned monitoring in its stack, then the notebooks, the fleet
// overview, the sizing endpoint and the load test.
func New(scope constructs.Construct, cfg *config.Config, o *Options) (*Stacks, error) {
	plans, shards, err := PlanShards(cfg)
	if err != nil {
		return nil, err
	}
	st := &Stacks{Plan: shards, outputs: outputIDs(cfg, shards)}
	addShardStacks(scope, cfg, st)
	addPlaceholders(cfg, st)
	overview := addEndpoints(cfg, st, plans)
	if len(cfg.Notebooks) > 0 {
		if err := addNotebooks(st.Monitoring, st.Facade, cfg, st.outputs[0]); err != nil {
			return nil, err
		}
	}
	if err := addOverview(scope, cfg, st, overview); err != nil {
		return nil, err
	}
	if err := addShared(scope, cfg, st, plans); err != nil {
		return nil, err
	}
	if cfg.Sizing != nil {
		if o == nil || o.Now.IsZero() {
			return nil, errors.New("the sizing endpoint's deadline counts from the synthesis time: set app.Options.Now (main: -c sagesize:now=2026-01-01T00:00:00Z or the clock)")
		}
		st.Sizing = addSizing(scope, cfg, o.Now)
		// The idle alarm notifies the core stack's topic.
		st.Sizing.AddStackDependency(st.Monitoring, jsii.String("the sizing endpoint's idle alarm notifies the alarm topic"))
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

// addShardStacks creates the endpoint stacks of st.Plan, each with its
// monitoring facade: the core stack <prefix>-monitoring first, with the
// alarm topic unless the config names one, then <prefix>-monitoring-1, -2,
// ... in deployment order.
func addShardStacks(scope constructs.Construct, cfg *config.Config, st *Stacks) {
	plan := st.Plan
	core := newStack(scope, cfg, cfg.StackName(), fmt.Sprintf("alarm topic, %d notebook instance(s) and endpoint stack 0 of %d", len(cfg.Notebooks), plan.Stacks))
	st.Monitoring = core
	// The core stack refers to its topic by Ref; other stacks name it by
	// ARN, so that no stack exports a value that would pin the topic.
	coreTopic, otherTopic := cfg.Notifications.TopicArn, topicArn(cfg)
	if coreTopic == "" {
		t := alarmtopic.New(core, jsii.String("AlarmTopic"), &alarmtopic.Props{
			Prefix: cfg.Prefix(), TopicName: topicName(cfg), Emails: cfg.Notifications.Emails,
			AlarmPatterns: alarmPatterns(cfg), Ephemeral: cfg.Release != "",
		})
		coreTopic = *t.Arn
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
			arn = otherTopic
		}
		actions := monitoring.Actions{CompositeActions: []string{arn}}
		if cfg.Notifications.NotifyWarnings() {
			actions.WarningActions = []string{arn}
		}
		st.Shards = append(st.Shards, stack)
		st.Facades = append(st.Facades, monitoring.NewFacade(stack, jsii.String("Monitoring"), &monitoring.FacadeProps{Prefix: cfg.Prefix(), Actions: actions}))
	}
	st.Facade = st.Facades[0]
}

// addPlaceholders gives every endpoint stack that would otherwise hold no
// resource (more stacks pinned or searched than endpoints fill) a
// WaitConditionHandle, which costs nothing: CloudFormation refuses a
// template without resources, and CDK's metadata resource is only there in
// some regions and with version reporting on.
func addPlaceholders(cfg *config.Config, st *Stacks) {
	endpoints := make([]int, st.Plan.Stacks)
	for _, s := range st.Plan.Of {
		endpoints[s]++
	}
	for i, stack := range st.Shards {
		coreHolds := i == 0 && (cfg.Notifications.TopicArn == "" || len(cfg.Notebooks) > 0)
		if endpoints[i] > 0 || coreHolds {
			continue
		}
		awscdk.NewCfnResource(stack, jsii.String("EmptyStack"), &awscdk.CfnResourceProps{
			Type: jsii.String("AWS::CloudFormation::WaitConditionHandle"),
		})
	}
}

// addEndpoints builds each endpoint's planned dashboard and alarms in the
// stack the shard plan gave it, with an output linking the dashboard, and
// returns what the fleet overview shows of them.
func addEndpoints(cfg *config.Config, st *Stacks, plans []*monitoring.EndpointPlan) []monitoring.OverviewEndpoint {
	// One set of tokens per stack for every output, rather than one
	// Fn::Sub call each.
	urls := make([]func(string) string, len(st.Shards))
	var overview []monitoring.OverviewEndpoint
	for i := range cfg.Endpoints {
		e := &cfg.Endpoints[i]
		s := st.Plan.Of[e.Name]
		m := st.Facades[s].AddEndpoint(jsii.String("Endpoint-"+e.Name), plans[i])
		addAutoscaling(m.Construct, cfg, e)
		if urls[s] == nil {
			urls[s] = monitoring.ConsoleURL(st.Shards[s])
		}
		awscdk.NewCfnOutput(st.Shards[s], jsii.String(st.outputs[s]["Dashboard-"+e.Name]), &awscdk.CfnOutputProps{
			Value:       jsii.String(urls[s](monitoring.DashboardURL(m.DashboardName()))),
			Description: jsii.String("CloudWatch dashboard of endpoint " + e.Name),
		})
		overview = append(overview, plans[i].Overview(s))
	}
	return overview
}

// addOverview creates the fleet overview dashboards of two or more
// endpoints. With one endpoint stack the overview lives in it; a fleet gets
// an overview stack that deploys last. When a fleet outgrows one stack the
// overview moves safely: the core stack deletes its dashboards before the
// overview stack, deployed after it, creates them again.
func addOverview(scope constructs.Construct, cfg *config.Config, st *Stacks, endpoints []monitoring.OverviewEndpoint) error {
	if len(endpoints) < 2 {
		return nil
	}
	plan, err := monitoring.PlanOverview(&monitoring.OverviewProps{Prefix: cfg.Prefix(), Endpoints: endpoints, Stacks: st.Plan.Stacks})
	if err != nil {
		return err
	}
	if bytes, limit := plan.TemplateBytes(), shard.Hard().TemplateBytes; bytes > limit {
		return fmt.Errorf("the overview of %d endpoints needs about %d template bytes, more than the %d one stack may hold: split the endpoints into several configs (projects)", len(endpoints), bytes, limit)
	}
	home := st.Monitoring
	if st.Plan.Stacks > 1 {
		st.Overview = newStack(scope, cfg, cfg.Prefix()+"-overview", fmt.Sprintf("fleet overview of %d endpoints", len(endpoints)))
		st.Overview.AddStackDependency(st.Shards[len(st.Shards)-1], jsii.String("the overview lists every stack's alarms"))
		home = st.Overview
	}
	url := monitoring.ConsoleURL(home)
	o := monitoring.NewOverview(home, jsii.String("Overview"), plan)
	for i, name := range o.Names {
		awscdk.NewCfnOutput(home, jsii.String(fmt.Sprintf("Overview%d", i+1)), &awscdk.CfnOutputProps{
			Value:       jsii.String(url(monitoring.DashboardURL(name))),
			Description: jsii.String("Fleet overview dashboard"),
		})
	}
	return nil
}

// addShared creates the shared dashboards of the shared layout: in the
// core stack when there is one endpoint stack (the shard plan measured
// every endpoint as if it had its own dashboard, so the core stack has the
// room), else in a stack of their own, <prefix>-shared, that deploys after
// the endpoint stacks (every alarm a widget lists then exists). Their alarm
// status widgets list a whole fleet's alarms by ARN, which can outgrow the
// overview stack: it fails when they outgrow one stack.
func addShared(scope constructs.Construct, cfg *config.Config, st *Stacks, plans []*monitoring.EndpointPlan) error {
	if !cfg.Dashboards.Shared() {
		return nil
	}
	shared, err := monitoring.PlanShared(cfg.Prefix(), plans)
	if err != nil || len(shared) == 0 {
		return err
	}
	home := st.Monitoring
	if st.Plan.Stacks > 1 {
		if bytes, limit := monitoring.SharedTemplateBytes(shared), shard.Hard().TemplateBytes; bytes > limit {
			return fmt.Errorf("the shared dashboards of %d endpoints need about %d template bytes, more than the %d one stack may hold: split the endpoints into several configs (projects), or use dashboards.layout: %s",
				len(cfg.Endpoints), bytes, limit, config.LayoutPerEndpoint)
		}
		st.Shared = newStack(scope, cfg, cfg.Prefix()+"-shared", fmt.Sprintf("%d shared endpoint dashboards", len(shared)))
		st.Shared.AddStackDependency(st.Shards[len(st.Shards)-1], jsii.String("the shared dashboards list every stack's alarms"))
		home = st.Shared
	}
	monitoring.NewShared(home, jsii.String("Shared"), shared)
	return nil
}

// addSizing creates the sizing stack: the endpoint serving cfg.Sizing.Model
// on every candidate, its cost guard (deleted at now + the deadline, an idle
// alarm that notifies), and outputs naming it and its variants, the
// deadline and the cost per hour.
func addSizing(scope constructs.Construct, cfg *config.Config, now time.Time) awscdk.Stack {
	s := cfg.Sizing
	variants := make([]endpoint.Variant, len(s.Candidates))
	desc := make([]string, len(s.Candidates))
	for i, c := range s.Candidates {
		variants[i] = endpoint.Variant{Name: c.Name, Instance: c.Instance, Count: c.Count()}
		desc[i] = fmt.Sprintf("%s:%s:%d", c.Name, c.InstanceType, c.Count())
	}
	stack := newStack(scope, cfg, cfg.SizingStackName(), fmt.Sprintf("sizing endpoint %s, model %s on %d candidate instance type(s)", s.Endpoint, s.Model, len(variants)))
	e := endpoint.New(stack, jsii.String("Sizing"), &endpoint.Props{EndpointName: s.Endpoint, ModelName: s.Model, Variants: variants,
		EnhancedPeriod: enhancedPeriod(cfg.SizingEndpoint())})
	out := func(id, d string, v *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: v, Description: jsii.String(d)})
	}
	out(loadplan.OutputEndpoint, "SageMaker endpoint of the sizing test", e.Endpoint.AttrEndpointName())
	out(loadplan.OutputEndpointConfig, "Its endpoint configuration", e.Config.AttrEndpointConfigName())
	out(loadplan.OutputVariants, "Production variants as name:instanceType:count, comma-separated", jsii.String(strings.Join(desc, ",")))
	deadline := now.UTC().Add(s.DeadlineAfter()).Truncate(time.Second)
	endpoint.NewGuard(stack, jsii.String("CostGuard"), &endpoint.GuardProps{
		EndpointName: s.Endpoint, Variants: variants, Deadline: deadline,
		IdleAlarmName: idleAlarmName(cfg), TopicArn: topicArn(cfg),
	}).Schedule.Node().AddDependency(e.Endpoint)
	out(loadplan.OutputDeadline, "When a schedule deletes the sizing endpoint (UTC)", jsii.String(deadline.Format(time.RFC3339)))
	out(loadplan.OutputCostPerHour, "The candidates' on-demand price per hour in USD (catalogue price x instance count)", jsii.String(fmt.Sprintf("%.4f", endpoint.CostPerHour(variants))))
	return stack
}

// alarmPatterns are the names of the alarms that may publish to the topic:
// <prefix>-<resource>-* per monitored endpoint and notebook (their
// composite and warning alarms), and the sizing endpoint's idle alarm
// (its other alarms notify no one).
func alarmPatterns(cfg *config.Config) []string {
	var out []string
	for i := range cfg.Endpoints {
		e := &cfg.Endpoints[i]
		if e.Sizing {
			out = append(out, idleAlarmName(cfg))
			continue
		}
		out = append(out, naming.AlarmPattern(cfg.Prefix(), e.NameInResources()))
	}
	for _, n := range cfg.Notebooks {
		out = append(out, naming.AlarmPattern(cfg.Prefix(), n.Name))
	}
	return out
}

// idleAlarmName names the sizing endpoint's idle alarm.
func idleAlarmName(cfg *config.Config) string {
	return naming.IdleAlarm(cfg.Prefix(), cfg.SizingEndpoint().NameInResources())
}

// topicArn is the alarm topic's ARN as a stack other than the core one
// names it: the configured topic, or the core stack's by its fixed name.
func topicArn(cfg *config.Config) string {
	if cfg.Notifications.TopicArn != "" {
		return cfg.Notifications.TopicArn
	}
	return *awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:"+topicName(cfg)), nil)
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
		// The tasks read the payload and a streaming test's prompt
		// dataset, and no other object.
		for _, o := range []string{e.LoadTest.Payload, streamPrompts(e.LoadTest.Stream)} {
			if o != "" && !seen[o] {
				seen[o] = true
				payloads = append(payloads, o)
			}
		}
	}
	name := cfg.LoadTestStackName()
	stack := newStack(scope, cfg, name, fmt.Sprintf("load-test cluster and loadgen task for %d endpoint(s)", len(endpoints)))
	st.LoadTest = stack
	stop, err := lt.StopTimeout()
	if err != nil {
		return fmt.Errorf("loadTest.grace and loadTest.drain: %w", err) // config validation reports it first
	}
	l := loadtest.New(stack, jsii.String("LoadTest"), &loadtest.Props{
		Endpoints: endpoints, Payloads: payloads, Namespace: metrics.NamespaceLoadTest, Image: image, ImageURI: lt.Image,
		CPU: lt.CPU, MemoryMiB: lt.MemoryMiB, Architecture: lt.Architecture,
		VpcID: lt.VpcID, SubnetIDs: lt.SubnetIDs, AssignPublicIP: lt.AssignPublicIP, PrivateSubnets: lt.PrivateSubnets,
		ContainerInsights: lt.ContainerInsights, LogRetentionDays: lt.LogRetentionDays,
		Grace: lt.GracePeriod(), Drain: lt.DrainPeriod(), StopTimeout: stop, Ephemeral: cfg.Release != "",
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
			"\",\"environment\":[{\"name\":\"" + loadplan.EnvEndpoint + "\",\"value\":\"" + e.Name + "\"}," + requestOverrides(e.LoadTest) +
			",{\"name\":\"" + loadplan.EnvRate + "\",\"value\":\"10\"},{\"name\":\"" + loadplan.EnvDuration + "\",\"value\":\"5m\"}]}]}'"),
	})
	out(loadplan.OutputRunTaskCommand, "One loadgen task without the sagesize CLI (10 req/s for 5 minutes; see README)", cmd)
	return nil
}

// streamPrompts is the S3 prompt dataset of stream, "" for none.
func streamPrompts(s *config.Stream) string {
	if s == nil {
		return ""
	}
	return s.Prompts
}

// requestOverrides are the request's environment overrides in the
// RunTaskCommand: the body or payload (none for a stream that brings its
// own prompts) and a streaming test's LOADGEN_* settings, as JSON objects
// joined by commas, then quoted for the shell's single quotes.
func requestOverrides(t *config.EndpointLoadTest) string {
	var env loadplan.Env
	switch {
	case t.Body != "":
		env = append(env, loadplan.Var{Name: loadplan.EnvBody, Value: t.Body})
	case t.Payload != "" || !t.Stream.HasPrompts():
		env = append(env, loadplan.Var{Name: loadplan.EnvPayload, Value: t.Payload})
	}
	env = append(env, t.Stream.Env()...)
	parts := make([]string, len(env))
	for i, v := range env {
		b, _ := json.Marshal(map[string]string{"name": v.Name, "value": v.Value}) // a map of strings always marshals
		// encoding/json sorts keys: {"name":…,"value":…}.
		parts[i] = string(b)
	}
	return strings.ReplaceAll(strings.Join(parts, ","), "'", `'\''`)
}

// PlanShards plans the monitoring of every endpoint and assigns each to a
// stack by the plans' footprints, without creating anything (no jsii
// runtime is needed). It returns the endpoints' monitoring plans in config
// order, which New then builds as they were measured, and the shard plan.
func PlanShards(cfg *config.Config) ([]*monitoring.EndpointPlan, *shard.Plan, error) {
	plans := make([]*monitoring.EndpointPlan, len(cfg.Endpoints))
	items := make([]shard.Item, len(cfg.Endpoints))
	for i := range cfg.Endpoints {
		p, err := monitoring.PlanEndpoint(cfg.Prefix(), endpointProps(cfg, &cfg.Endpoints[i]))
		if err != nil {
			return nil, nil, fmt.Errorf("plan endpoint %s: %w", cfg.Endpoints[i].Name, err)
		}
		plans[i] = p
		fp := p.Footprint()
		items[i] = shard.Item{Name: cfg.Endpoints[i].Name, Load: shard.Load{Resources: fp.Resources + autoscalingFootprint(cfg, &cfg.Endpoints[i]), TemplateBytes: fp.TemplateBytes, Outputs: 1}}
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
	return plans, plan, nil
}

// outputIDs are, per endpoint stack of plan, the construct ids of the
// outputs named after endpoints and notebooks, keyed by their natural id
// (Dashboard-<name>, LifecycleConfig-<name>). CDK drops the hyphens of an
// output's id to make its logical id, so risk-model-v2 and riskmodel-v2
// would share one; naming.UniqueIDs keeps every id that collides with no
// other, and gives those that do a short hash suffix.
func outputIDs(cfg *config.Config, plan *shard.Plan) []map[string]string {
	per := make([][]string, plan.Stacks)
	per[0] = append(per[0], "AlarmTopicArn", "NotebookMetricsPolicyArn")
	for _, n := range cfg.Notebooks {
		per[0] = append(per[0], "LifecycleConfig-"+n.Name, "Dashboard-"+n.Name)
	}
	for _, e := range cfg.Endpoints {
		s := plan.Of[e.Name]
		per[s] = append(per[s], "Dashboard-"+e.Name)
	}
	out := make([]map[string]string, plan.Stacks)
	for s, ids := range per {
		unique := naming.UniqueIDs(ids)
		out[s] = make(map[string]string, len(ids))
		for i, id := range ids {
			out[s][id] = unique[i]
		}
	}
	return out
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

// endpointProps turns a validated config endpoint into monitoring props:
// plain values in the units the dashboards show (thresholds in ms and %).
func endpointProps(cfg *config.Config, e *config.Endpoint) *monitoring.EndpointMonitorProps {
	variants := make([]monitoring.Variant, len(e.Variants))
	for j, v := range e.Variants {
		variants[j] = monitoring.Variant{Name: v.Name, Count: v.Count(), Instance: v.Instance, Autoscaling: monitoringAutoscaling(v)}
		if s := v.Serverless; s != nil {
			price, configured := cfg.ServerlessPrice()
			variants[j] = monitoring.Variant{Name: v.Name, Serverless: &monitoring.Serverless{
				MemorySizeInMB: s.MemorySizeInMB, MaxConcurrency: s.MaxConcurrency, ProvisionedConcurrency: s.ProvisionedConcurrency,
				PricePerGBSecond: price, PriceConfigured: configured}}
		}
	}
	ns := ""
	var stream *monitoring.StreamProps
	if e.LoadTest != nil {
		ns = metrics.NamespaceLoadTest
		stream = streamProps(e.LoadTest.Stream)
	}
	a := e.Alarms
	desc := ""
	if e.Sizing {
		desc = fmt.Sprintf("Sizing test of model %s: stack %s creates this endpoint, one variant per candidate instance type; the test breaks the SLO on purpose.",
			cfg.Sizing.Model, cfg.SizingStackName())
	}
	props := &monitoring.EndpointMonitorProps{
		Description:       desc,
		Muted:             e.Sizing,
		LoadTestNamespace: ns,
		Stream:            stream,
		EndpointName:      e.Name,
		Label:             e.Label,
		Variants:          variants,
		SLOPercentile:     e.SLO.Percentile.String(),
		SLOLatency:        e.SLO.Latency.Duration,
		Alarms: monitoring.EndpointAlarms{
			ModelLatency:           latencyThresholds(a.ModelLatency),
			OverheadLatency:        latencyThresholds(a.OverheadLatency),
			Invocation5XXErrorRate: percentThresholds(a.Invocation5XXErrorRate),
			ModelErrorRate:         percentThresholds(a.ModelErrorRate),
			CPUUtilization:         percentThresholds(a.CPUUtilization),
			GPUUtilization:         percentThresholds(a.GPUUtilization),
			GPUMemoryUtilization:   percentThresholds(a.GPUMemoryUtilization),
			MemoryUtilization:      percentThresholds(a.MemoryUtilization),
			DiskUtilization:        percentThresholds(a.DiskUtilization),
			OldestRequestAge:       ageThresholds(a.OldestRequestAge),
			InvocationFailures:     countThresholds(a.InvocationFailures),
			ModelLoadingWaitTime:   latencyThresholds(a.ModelLoadingWaitTime),
			ModelCacheHitRatio:     percentThresholds(a.ModelCacheHitRatio),
		},
		Async:          e.IsAsync(),
		MultiModel:     e.IsMultiModel(),
		Components:     components(e.InferenceComponents),
		Evaluation:     evaluation(cfg.EvaluationFor(e)),
		EnhancedPeriod: enhancedPeriod(e),
	}
	if !cfg.CreatesWarningAlarms() {
		props.Alarms = props.Alarms.WithoutWarnings()
	}
	if cfg.SharesDashboard(e) {
		props.SharedDashboard = monitoring.SharedDashboardName(cfg.Prefix(), props)
	}
	return props
}

// enhancedPeriod is the period of e's enhanced metrics, 0 when it has none.
func enhancedPeriod(e *config.Endpoint) time.Duration {
	d, _ := e.Enhanced()
	return d
}

// evaluation is a config evaluation as monitoring takes it.
func evaluation(ev config.Evaluation) monitoring.Evaluation {
	return monitoring.Evaluation{Period: ev.Period.Duration, EvaluationPeriods: ev.EvaluationPeriods, DatapointsToAlarm: ev.DatapointsToAlarm}
}

// latencyThresholds are config latency thresholds in ms; nil for nil.
func latencyThresholds(t *config.LatencyThresholds) *monitoring.LatencyThresholds {
	if t == nil {
		return nil
	}
	ms := func(d config.Duration) float64 { return metrics.Millis(d.Duration) }
	return &monitoring.LatencyThresholds{Statistic: t.Statistic.String(), Thresholds: thresholds(t.Warning, t.Critical, ms)}
}

// percentThresholds are config percentage thresholds in %; nil for nil.
func percentThresholds(t *config.PercentThresholds) *monitoring.Thresholds {
	if t == nil {
		return nil
	}
	th := thresholds(t.Warning, t.Critical, func(p config.Percent) float64 { return p.Value })
	return &th
}

// components are the config's inference components as monitoring takes them.
func components(ics []config.InferenceComponent) []monitoring.Component {
	var out []monitoring.Component
	for _, ic := range ics {
		out = append(out, monitoring.Component{Name: ic.Name, Copies: ic.CopyCount(), CPUCores: ic.CPUCores, MemoryMiB: ic.MemoryMiB, Accelerators: ic.Accelerators})
	}
	return out
}

// ageThresholds are config duration thresholds in seconds; nil for nil.
func ageThresholds(t *config.DurationThresholds) *monitoring.Thresholds {
	if t == nil {
		return nil
	}
	th := thresholds(t.Warning, t.Critical, func(d config.Duration) float64 { return d.Seconds() })
	return &th
}

// countThresholds are config count thresholds; nil for nil.
func countThresholds(t *config.CountThresholds) *monitoring.Thresholds {
	if t == nil {
		return nil
	}
	th := thresholds(t.Warning, t.Critical, func(n int) float64 { return float64(n) })
	return &th
}

// thresholds are the optional warning and critical values in the unit the
// dashboards show, as display gives it.
func thresholds[T any](warning, critical *T, display func(T) float64) monitoring.Thresholds {
	value := func(v *T) *float64 {
		if v == nil {
			return nil
		}
		d := display(*v)
		return &d
	}
	return monitoring.Thresholds{Warning: value(warning), Critical: value(critical)}
}

// topicName is the alarm topic's name, fixed so that every stack can
// address it by ARN.
func topicName(cfg *config.Config) string { return cfg.Prefix() + "-alarms" }

// addNotebooks creates, per notebook instance, the lifecycle configuration
// that starts the CloudWatch agent, optionally the notebook itself, and its
// dashboard and alarms; plus one managed policy for all their roles. It
// fails when a notebook's dashboard breaks one of CloudWatch's rules.
func addNotebooks(stack awscdk.Stack, f *monitoring.Facade, cfg *config.Config, outputs map[string]string) error {
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
		Namespace: metrics.NamespaceNotebook, RoleNames: roleNames, RoleArns: roleArns,
	})
	awscdk.NewCfnOutput(stack, jsii.String("NotebookMetricsPolicyArn"), &awscdk.CfnOutputProps{
		Value:       policy.Ref(),
		Description: jsii.String("Attach to each notebook instance's execution role so that its CloudWatch agent can publish"),
	})
	url := monitoring.ConsoleURL(stack)
	for i := range cfg.Notebooks {
		n := &cfg.Notebooks[i]
		lcc := naming.LifecycleConfig(cfg.Prefix(), n.Name)
		agent := notebook.NewAgent(stack, jsii.String("NotebookAgent-"+n.Name), &notebook.AgentProps{
			LifecycleConfigName: lcc,
			Namespace:           metrics.NamespaceNotebook,
			GPU:                 n.Instance.GPUs() > 0,
			Interval:            n.Interval(),
		})
		awscdk.NewCfnOutput(stack, jsii.String(outputs["LifecycleConfig-"+n.Name]), &awscdk.CfnOutputProps{
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
		a := n.Alarms
		alarms := monitoring.NotebookAlarms{
			CPUUtilization:       percentThresholds(a.CPUUtilization),
			MemoryUtilization:    percentThresholds(a.MemoryUtilization),
			DiskUtilization:      percentThresholds(a.DiskUtilization),
			GPUUtilization:       percentThresholds(a.GPUUtilization),
			GPUMemoryUtilization: percentThresholds(a.GPUMemoryUtilization),
		}
		if !cfg.CreatesWarningAlarms() {
			alarms = alarms.WithoutWarnings()
		}
		m, err := f.AddNotebook(jsii.String("Notebook-"+n.Name), &monitoring.NotebookMonitorProps{
			NotebookName:        n.Name,
			Instance:            n.Instance,
			Namespace:           metrics.NamespaceNotebook,
			Interval:            n.Interval(),
			LifecycleConfigName: lcc,
			Alarms:              alarms,
			Evaluation:          evaluation(cfg.EvaluationForNotebook(n)),
		})
		if err != nil {
			return err
		}
		awscdk.NewCfnOutput(stack, jsii.String(outputs["Dashboard-"+n.Name]), &awscdk.CfnOutputProps{
			Value:       jsii.String(url(monitoring.DashboardURL(m.DashboardName()))),
			Description: jsii.String("CloudWatch dashboard of notebook instance " + n.Name),
		})
	}
	return nil
}

// streamProps is a streaming test's dashboard settings (nil: not a
// streaming test): its goodput bounds and format.
func streamProps(s *config.Stream) *monitoring.StreamProps {
	if s == nil {
		return nil
	}
	p := &monitoring.StreamProps{Format: s.Format}
	if o := s.SLO; o != nil {
		p.TTFT, p.TPOT, p.E2E = duration(o.TTFT), duration(o.TPOT), duration(o.E2E)
	}
	return p
}

// duration is d, or 0 when unset.
func duration(d *config.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.Duration
}
