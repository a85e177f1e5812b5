package config

import (
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/sagesize/sagesize/loadplan"
)

// LoadTestInfra is the load-test infrastructure: one ECS cluster and Fargate
// task definition that runs loadgen, shared by every endpoint's load test.
// It is created when any endpoint has a loadTest.
type LoadTestInfra struct {
	// VpcID and SubnetIDs place the tasks in an existing VPC (preferred);
	// the subnets need a route to SageMaker Runtime and CloudWatch (NAT or
	// VPC endpoints). Without them the stack creates a small VPC with public
	// subnets only (no NAT gateway to pay for) and gives tasks public IPs.
	VpcID     string   `yaml:"vpcId"`
	SubnetIDs []string `yaml:"subnetIds"`
	// AssignPublicIP gives tasks in an existing VPC public IPs (public
	// subnets without NAT); default false.
	AssignPublicIP bool `yaml:"assignPublicIp"`
	// CPU (units, 1024 = 1 vCPU) and MemoryMiB of one task: a valid Fargate
	// combination. Default 1024 and 2048.
	CPU       int `yaml:"cpu"`
	MemoryMiB int `yaml:"memoryMiB"`
	// Architecture is arm64 (default, cheaper) or x86_64.
	Architecture string `yaml:"architecture"`
	// Image is a prebuilt loadgen image URI; default: built from the
	// repository's Dockerfile as a CDK image asset.
	Image string `yaml:"image"`
	// ContainerInsights turns on ECS Container Insights for the cluster.
	ContainerInsights bool `yaml:"containerInsights"`
	// LogRetentionDays of the task log group; default 30.
	LogRetentionDays int `yaml:"logRetentionDays"`
	// Grace is how long loadgen lets requests in flight finish after
	// SIGTERM or the plan's end, and Drain how long it then publishes its
	// backlog; defaults loadplan.DefaultGrace and DefaultDrain. Together
	// with loadplan.StopMargin they set the container's stop timeout, at
	// most Fargate's 120 s.
	Grace *Duration `yaml:"grace"`
	Drain *Duration `yaml:"drain"`
	// PrivateSubnets makes the VPC the stack creates private: isolated
	// subnets (no internet route, no public IPs) with VPC endpoints for
	// SageMaker Runtime, CloudWatch, CloudWatch Logs, ECR and S3, instead
	// of public subnets. Only without vpcId.
	PrivateSubnets bool `yaml:"privateSubnets"`
}

// GracePeriod is loadgen's grace period (Grace or loadplan.DefaultGrace,
// also on a nil receiver: no loadTest section).
func (l *LoadTestInfra) GracePeriod() time.Duration {
	if l == nil || l.Grace == nil {
		return loadplan.DefaultGrace
	}
	return l.Grace.Duration
}

// DrainPeriod is loadgen's drain period (Drain or loadplan.DefaultDrain,
// also on a nil receiver).
func (l *LoadTestInfra) DrainPeriod() time.Duration {
	if l == nil || l.Drain == nil {
		return loadplan.DefaultDrain
	}
	return l.Drain.Duration
}

// StopTimeout is the loadgen container's stop timeout: grace + drain +
// loadplan.StopMargin in whole seconds, or why it cannot be.
func (l *LoadTestInfra) StopTimeout() (time.Duration, error) {
	return loadplan.StopTimeout(l.GracePeriod(), l.DrainPeriod())
}

// EndpointLoadTest is one endpoint's load-test plan, run by `sagesize run`.
type EndpointLoadTest struct {
	// Tasks is the number of Fargate tasks that share the load; default 1.
	Tasks int `yaml:"tasks"`
	// MaxInFlight bounds the requests in flight per task; default loadgen's.
	MaxInFlight int `yaml:"maxInFlight"`
	// The plan, in total requests per second across all tasks: Rate for
	// Duration, Steps ("10@1m,20@1m"), or Ramp ("0:200") over Duration
	// (see Plan).
	Rate     float64   `yaml:"rate"`
	Steps    string    `yaml:"steps"`
	Ramp     string    `yaml:"ramp"`
	Duration *Duration `yaml:"duration"`
	// Variants are the production variants to drive, one after another
	// (TargetVariant); default all of the endpoint's variants.
	Variants []string `yaml:"variants"`
	// Payload is the request body: an S3 object (s3://bucket/key, read-only
	// access is granted to that object) that loadgen reads at start.
	Payload string `yaml:"payload"`
	// Body is the request body given inline instead of Payload (at most
	// MaxInlineBody bytes: it travels in the RunTask overrides).
	Body string `yaml:"body"`
	// ContentType of the requests; default application/json.
	ContentType string `yaml:"contentType"`
	// Stream makes this a streaming (LLM) test; with its prompts or
	// synthetic prompt lengths no payload or body is needed.
	Stream *Stream `yaml:"stream"`
	// Gate is the test's pass/fail criteria (see Gate).
	Gate *Gate `yaml:"gate"`
}

// Load-test defaults and the capacity rule.
const (
	DefaultLoadTestCPU       = 1024
	DefaultLoadTestMemoryMiB = 2048
	DefaultLogRetentionDays  = 30
	// RatePerVCPU is the most requests per second sagesize plans per vCPU
	// of a task. loadgen's signed path costs about 25 µs of CPU per request
	// against a local server (bench/loadgen-vs-vegeta.sh, about 40,000
	// req/s on one core); TLS to a real endpoint and response bodies cost
	// several times that, so the plan keeps a 20-fold margin.
	RatePerVCPU = 2000
	// MaxInlineBody bounds an inline request body: ECS allows 8 KiB of
	// RunTask overrides in all, and the plan's variables need the rest.
	MaxInlineBody = 4096
	// MaxTasks bounds tasks per test (ECS RunTask starts 10 per call; the
	// runner splits calls, this keeps a test reviewable).
	MaxTasks = 100
)

var s3URIRE = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$`)

// validFargate reports whether cpu/memory (MiB) is a Fargate task size,
// and if not what would be valid.
func validFargate(cpu, mem int) string {
	type sizes struct{ lo, hi, step int }
	table := map[int]sizes{512: {1024, 4096, 1024}, 1024: {2048, 8192, 1024}, 2048: {4096, 16384, 1024},
		4096: {8192, 30720, 1024}, 8192: {16384, 61440, 4096}, 16384: {32768, 122880, 8192}}
	if cpu == 256 {
		if mem == 512 || mem == 1024 || mem == 2048 {
			return ""
		}
		return fmt.Sprintf("memoryMiB %d is not a Fargate size for cpu 256: use 512, 1024 or 2048", mem)
	}
	s, ok := table[cpu]
	if !ok {
		return fmt.Sprintf("cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384, got %d", cpu)
	}
	// Every row's lowest size is a multiple of its step.
	if mem < s.lo || mem > s.hi || mem%s.step != 0 {
		return fmt.Sprintf("memoryMiB %d is not a Fargate size for cpu %d: use %d to %d in steps of %d", mem, cpu, s.lo, s.hi, s.step)
	}
	return ""
}

// VCPUs is the task's vCPU count.
func (l *LoadTestInfra) VCPUs() float64 { return float64(l.CPU) / 1024 }

// NeedsLoadTest reports whether any endpoint has a load test.
func (c *Config) NeedsLoadTest() bool {
	for _, e := range c.Endpoints {
		if e.LoadTest != nil {
			return true
		}
	}
	return false
}

// Plan returns the load test's plan, in total requests per second across
// all tasks, or the problems with it (see loadplan.Errors).
func (t *EndpointLoadTest) Plan() (loadplan.Plan, error) {
	s := loadplan.Spec{Rate: t.Rate, Steps: t.Steps, Ramp: t.Ramp}
	if t.Duration != nil {
		s.Duration = t.Duration.Duration
	}
	return loadplan.Parse(s)
}

// PeakRate is the plan's highest total rate in requests per second (0 when
// the plan is invalid).
func (t *EndpointLoadTest) PeakRate() float64 {
	p, _ := t.Plan()
	return p.Peak()
}

func (c *Config) setLoadTestDefaults() {
	if !c.NeedsLoadTest() {
		return
	}
	if c.LoadTest == nil {
		c.LoadTest = &LoadTestInfra{}
	}
	l := c.LoadTest
	if l.CPU == 0 {
		l.CPU = DefaultLoadTestCPU
	}
	if l.MemoryMiB == 0 {
		l.MemoryMiB = max(DefaultLoadTestMemoryMiB, 2*l.CPU)
	}
	if l.Architecture == "" {
		l.Architecture = "arm64"
	}
	if l.LogRetentionDays == 0 {
		l.LogRetentionDays = DefaultLogRetentionDays
	}
	for i := range c.Endpoints {
		t := c.Endpoints[i].LoadTest
		if t == nil {
			continue
		}
		if t.Tasks == 0 {
			t.Tasks = 1
		}
		if t.ContentType == "" {
			t.ContentType = "application/json"
		}
		if len(t.Variants) == 0 {
			for _, v := range c.Endpoints[i].Variants {
				t.Variants = append(t.Variants, v.Name)
			}
		}
	}
}

// validLogRetention lists CloudWatch Logs' retention periods in days.
var validLogRetention = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func (c *Config) validateLoadTest(add func(path, format string, args ...any)) {
	l := c.LoadTest
	if l == nil {
		return
	}
	if why := validFargate(l.CPU, l.MemoryMiB); why != "" {
		add("loadTest", "%s", why)
	}
	if l.Architecture != "arm64" && l.Architecture != "x86_64" {
		add("loadTest.architecture", "must be arm64 or x86_64, got %q", l.Architecture)
	}
	if l.VpcID != "" && !regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`).MatchString(l.VpcID) {
		add("loadTest.vpcId", "must be a VPC id such as vpc-0123456789abcdef0, got %q", l.VpcID)
	}
	if (l.VpcID == "") != (len(l.SubnetIDs) == 0) {
		add("loadTest.subnetIds", "vpcId and subnetIds go together: name the VPC and its subnets, or neither to let the stack create a VPC")
	}
	for i, s := range l.SubnetIDs {
		if !subnetRE.MatchString(s) {
			add(fmt.Sprintf("loadTest.subnetIds[%d]", i), "must be a subnet id such as subnet-0123456789abcdef0, got %q", s)
		}
	}
	ok := false
	for _, d := range validLogRetention {
		ok = ok || d == l.LogRetentionDays
	}
	if _, err := l.StopTimeout(); err != nil {
		add("loadTest.grace", "%v: ECS kills loadgen when the stop timeout ends; shorten loadTest.grace or loadTest.drain", err)
	}
	if l.PrivateSubnets && l.VpcID != "" {
		add("loadTest.privateSubnets", "applies to the VPC the stack creates; in vpcId %s give subnets with a route to AWS (NAT or VPC endpoints, see README)", l.VpcID)
	}
	if !ok {
		add("loadTest.logRetentionDays", "must be one of CloudWatch Logs' periods (1, 3, 5, 7, 14, 30, 60, 90, 180, 365, ...), got %d", l.LogRetentionDays)
	}
}

func (c *Config) validateEndpointLoadTest(p string, e *Endpoint, add func(path, format string, args ...any)) {
	t := e.LoadTest
	if t == nil {
		return
	}
	p += ".loadTest"
	plan, err := t.Plan()
	for _, e := range loadplan.Errors(err) {
		path := p
		if e.Field != loadplan.FieldPlan {
			path += "." + string(e.Field)
		}
		add(path, "%v", e)
	}
	if err == nil && plan.Duration() == 0 {
		// A task that runs until stopped would run, and cost, until
		// someone stops it.
		add(p+".duration", "is required with rate and must be positive, e.g. 10m")
	}
	if t.Tasks < 1 || t.Tasks > MaxTasks {
		add(p+".tasks", "must be between 1 and %d, got %d", MaxTasks, t.Tasks)
	}
	if t.MaxInFlight < 0 {
		add(p+".maxInFlight", "must be positive, got %d", t.MaxInFlight)
	}
	if !t.Stream.HasPrompts() || t.Payload != "" || t.Body != "" {
		checkBody(p, t.Payload, t.Body, add)
	}
	validateStream(p, t.Stream, add)
	validateGate(p, t.Gate, t.Stream != nil, add)
	names := map[string]bool{}
	for _, v := range e.Variants {
		names[v.Name] = true
	}
	for i, v := range t.Variants {
		if !names[v] {
			add(fmt.Sprintf("%s.variants[%d]", p, i), "names no variant of endpoint %s: %q", e.Name, v)
		}
	}
	if c.LoadTest != nil && t.Tasks >= 1 {
		if err := c.LoadTest.CheckCapacity(t.PeakRate(), t.Tasks); err != nil {
			add(p, "%v: raise tasks or loadTest.cpu", err)
		}
	}
}

// CheckCapacity reports an error when a peak total rate over tasks tasks
// is more per task than RatePerVCPU allows for this task size; the error
// names the number of tasks that would do.
func (l *LoadTestInfra) CheckCapacity(peak float64, tasks int) error {
	if tasks < 1 || tasks > MaxTasks {
		return fmt.Errorf("tasks must be between 1 and %d, got %d", MaxTasks, tasks)
	}
	perTask := peak / float64(tasks)
	limit := RatePerVCPU * l.VCPUs()
	if perTask <= limit {
		return nil
	}
	need := fmt.Sprintf("at least %d tasks are needed", tasksFor(peak, limit))
	if tasksFor(peak, limit) > MaxTasks*1000 {
		need = fmt.Sprintf("far more than %d tasks would be needed", MaxTasks) // not a count to print
	}
	return fmt.Errorf("plans %.0f requests per second per task (peak %.0f over %d tasks); one task of %.2g vCPU is planned for at most %.0f, so %s",
		perTask, peak, tasks, l.VCPUs(), limit, need)
}

// tasksFor is how many tasks of limit requests per second a peak rate
// needs, at most math.MaxInt32: converting a larger float to int would
// give a negative count.
func tasksFor(peak, limit float64) int {
	return int(min(math.Ceil(peak/limit), math.MaxInt32))
}

// LoadTestStackName is the name of the load-test stack that `cdk deploy`
// creates and `sagesize run` reads.
func (c *Config) LoadTestStackName() string { return c.Prefix() + "-loadtest" }

// checkBody checks the request body of a plan at path p: an S3 object or an
// inline body, one of them.
func checkBody(p, payload, body string, add func(path, format string, args ...any)) {
	switch {
	case payload == "" && body == "":
		add(p+".payload", "is required: the S3 object holding a request body, e.g. s3://my-bucket/payloads/request.json (or body: with the request inline)")
	case payload != "" && body != "":
		add(p, "payload and body are alternatives: give the S3 object or the inline body")
	case payload != "" && !s3URIRE.MatchString(payload):
		add(p+".payload", "must be an S3 object URI such as s3://my-bucket/payloads/request.json, got %q", payload)
	case len(body) > MaxInlineBody:
		add(p+".body", "is %d bytes; an inline body travels in the RunTask overrides and may be at most %d: put it in S3 and give payload: s3://…", len(body), MaxInlineBody)
	}
}
