package config

// Tests written to kill mutants that lived under make mutate PKGS=config
// (docs/mutation.md): each pins a boundary or default that the other
// tests of the package left open.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// loadOK loads content and fails the test on any problem.
func loadOK(t *testing.T, content string) *Config {
	t.Helper()
	c, err := Load(writeConfig(t, content), nil)
	if err != nil {
		t.Fatalf("Load refused:\n%s\nerror: %v", content, err)
	}
	return c
}

// TestValidFargate_Boundaries: every Fargate row accepts its lowest and
// highest memory and a size one step above the lowest, and refuses one
// step below the lowest, one step above the highest and a size between
// steps.
func TestValidFargate_Boundaries(t *testing.T) {
	rows := []struct{ cpu, lo, hi, step int }{
		{512, 1024, 4096, 1024}, {1024, 2048, 8192, 1024}, {2048, 4096, 16384, 1024},
		{4096, 8192, 30720, 1024}, {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192},
	}
	for _, r := range rows {
		for _, mem := range []int{r.lo, r.lo + r.step, r.hi} {
			if why := validFargate(r.cpu, mem); why != "" {
				t.Errorf("cpu %d, memory %d refused: %s", r.cpu, mem, why)
			}
		}
		for _, mem := range []int{r.lo - r.step, r.hi + r.step, r.lo + r.step/2} {
			if why := validFargate(r.cpu, mem); !strings.Contains(why, "is not a Fargate size") {
				t.Errorf("cpu %d, memory %d: %q; want refused", r.cpu, mem, why)
			}
		}
	}
}

// TestLoadTest_Defaults: memory defaults to twice the CPU units (at least
// 2048), a plan's content type to application/json and its variants to
// every variant of the endpoint; values given are kept.
func TestLoadTest_Defaults(t *testing.T) {
	c := loadOK(t, goodLoadTest+"loadTest: {cpu: 4096}\n")
	if c.LoadTest.MemoryMiB != 8192 {
		t.Errorf("memory for cpu 4096 defaults to %d, want 8192", c.LoadTest.MemoryMiB)
	}
	lt := c.Endpoints[0].LoadTest
	if lt.ContentType != "application/json" || !slices.Equal(lt.Variants, []string{"AllTraffic"}) {
		t.Errorf("content type %q, variants %q; want application/json, [AllTraffic]", lt.ContentType, lt.Variants)
	}

	c = loadOK(t, `project: lt
endpoints:
  - name: model
    variants: [{name: a, instanceType: ml.m5.large}, {name: b, instanceType: ml.c5.large}]
    slo: {latency: 100ms}
    loadTest: {rate: 10, duration: 1m, payload: s3://bucket/request.json, contentType: text/csv, variants: [b]}
`)
	lt = c.Endpoints[0].LoadTest
	if lt.ContentType != "text/csv" || !slices.Equal(lt.Variants, []string{"b"}) {
		t.Errorf("content type %q, variants %q; want text/csv, [b] as given", lt.ContentType, lt.Variants)
	}
}

// TestLoadTest_EdgesThatAreValid: x86_64 tasks, MaxTasks tasks, and a rate
// per task that a 2-vCPU task can carry but a 1-vCPU one cannot.
func TestLoadTest_EdgesThatAreValid(t *testing.T) {
	loadOK(t, goodLoadTest+"loadTest: {architecture: x86_64}\n")
	loadOK(t, strings.Replace(goodLoadTest, "rate: 10,", "rate: 10, tasks: 100,", 1))
	loadOK(t, strings.Replace(goodLoadTest, "rate: 10,", "rate: 3000,", 1)+"loadTest: {cpu: 2048}\n")
	if got := loadErr(t, strings.Replace(goodLoadTest, "rate: 10,", "rate: 3000,", 1)); !strings.Contains(got, "at least 2 tasks are needed") {
		t.Errorf("3000 req/s on one 1-vCPU task: %s; want at least 2 tasks", got)
	}
}

// TestLoadTest_LogRetentionMustBeACloudWatchPeriod: 2 days is no
// CloudWatch Logs period.
func TestLoadTest_LogRetentionMustBeACloudWatchPeriod(t *testing.T) {
	got := loadErr(t, goodLoadTest+"loadTest: {logRetentionDays: 2}\n")
	if !strings.Contains(got, "loadTest.logRetentionDays: must be one of CloudWatch Logs' periods") {
		t.Errorf("logRetentionDays 2: %s", got)
	}
	loadOK(t, goodLoadTest+"loadTest: {logRetentionDays: 3653}\n")
}

// TestListSome: up to n items are all listed; past n the rest are counted.
func TestListSome(t *testing.T) {
	for _, tc := range []struct {
		items []string
		want  string
	}{
		{[]string{"a", "b", "c"}, "a, b, c"},
		{[]string{"a", "b", "c", "d"}, "a, b, c and 1 more"},
	} {
		if got := listSome(tc.items, 3); got != tc.want {
			t.Errorf("listSome(%q, 3) = %q, want %q", tc.items, got, tc.want)
		}
	}
}

// TestLoad_NotebookPeriodsAgainstALongInterval: with a 5m metricsInterval,
// 1m and 2m periods can never fire and are refused; a 90s period, no valid
// period at all, is reported once, by the evaluation check, not as one
// that cannot fire.
func TestLoad_NotebookPeriodsAgainstALongInterval(t *testing.T) {
	nb := "project: churn\nnotebooks:\n  - {name: ds, instanceType: ml.t3.medium, metricsInterval: 5m, evaluation: {period: %s}, alarms: {cpuUtilization: {critical: 90%%}}}\n"
	// 1m is also alarmDefaults' period, so the problem is reported there.
	for p, path := range map[string]string{"1m": "alarmDefaults.period", "2m": "notebooks[0].evaluation.period"} {
		want := "sagesize.yaml: " + path + ": is " + p + ", shorter than the 5m at which notebook ds's agent publishes"
		if got := loadErr(t, fmt.Sprintf(nb, p)); !strings.HasPrefix(got, want) {
			t.Errorf("period %s:\n got: %s\nwant: %s…", p, got, want)
		}
	}
	got := loadErr(t, fmt.Sprintf(nb, "90s"))
	if strings.Contains(got, "agent publishes") || strings.Count(got, "evaluation.period") != 1 {
		t.Errorf("period 90s: %s; want one problem, from the evaluation check", got)
	}
	loadOK(t, fmt.Sprintf(nb, "5m"))
}

// TestShort: durations print as a config writes them.
func TestShort(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "10s", time.Minute: "1m", 90 * time.Second: "90s", 5 * time.Minute: "5m", 1500 * time.Millisecond: "1.5s",
	} {
		if got := short(d); got != want {
			t.Errorf("short(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestSageMakerNameRule_BlamesTheLengthOnlyPast63: a 63-character name
// that breaks the rule breaks it by its characters, not its length.
func TestSageMakerNameRule_BlamesTheLengthOnlyPast63(t *testing.T) {
	if got := sageMakerNameRule("endpoint", strings.Repeat("a", 62)+"_"); strings.Contains(got, "characters;") || strings.Contains(got, "this one is") {
		t.Errorf("63 characters: %s", got)
	}
	if got := sageMakerNameRule("endpoint", strings.Repeat("a", 64)); !strings.HasSuffix(got, "; this one is 64 characters") {
		t.Errorf("64 characters: %s", got)
	}
}

// TestRates_RoundingAndTheLastStep: rates below 10 req/s are rounded to
// tenths, higher ones to whole numbers, and MaxRate is the last step even
// when the series reaches it exactly (never a rounded neighbour of it).
func TestRates_RoundingAndTheLastStep(t *testing.T) {
	for _, tc := range []struct {
		start, growth, max float64
		want               []float64
	}{
		{1.23, 2, 10, []float64{1.2, 2.5, 4.9, 9.8, 10}},
		{10.3, 2, 20.6, []float64{10, 20.6}},
		{49.85, 2, 100, []float64{50, 100}},   // 99.7 rounds to MaxRate: once
		{10, 1.01, 12, []float64{10, 11, 12}}, // rates rounding to the one before are left out
	} {
		s := &Sizing{Plan: SizingPlan{StartRate: tc.start, Growth: tc.growth, MaxRate: tc.max}, Candidates: []Candidate{{}}}
		if got := s.Rates(0); !slices.Equal(got, tc.want) {
			t.Errorf("Rates(start %g, growth %g, max %g) = %v, want %v", tc.start, tc.growth, tc.max, got, tc.want)
		}
	}
}

// TestLoad_OverheadLatencyAlarmsOnTheAverage: overheadLatency's statistic
// defaults to Average (SageMaker publishes no percentiles of it) and a
// statistic given is kept.
func TestLoad_OverheadLatencyAlarmsOnTheAverage(t *testing.T) {
	ep := "project: lt\nendpoints:\n  - {name: model, variants: [{instanceType: ml.m5.large}], slo: {latency: 100ms}, alarms: {overheadLatency: %s}}\n"
	for given, want := range map[string]string{"{critical: 50ms}": "Average", "{critical: 50ms, statistic: Maximum}": "Maximum"} {
		c := loadOK(t, fmt.Sprintf(ep, given))
		if got := c.Endpoints[0].Alarms.OverheadLatency.Statistic.Value; got != want {
			t.Errorf("overheadLatency %s: statistic %q, want %q", given, got, want)
		}
	}
}

// TestLoad_MaxStacks: sharding.stacks may be as high as maxStacks.
func TestLoad_MaxStacks(t *testing.T) {
	loadOK(t, goodLoadTest+fmt.Sprintf("sharding: {stacks: %d}\n", maxStacks))
	if got := loadErr(t, goodLoadTest+fmt.Sprintf("sharding: {stacks: %d}\n", maxStacks+1)); !strings.Contains(got, "sharding.stacks: must be between 1 and 200") {
		t.Errorf("stacks %d: %s", maxStacks+1, got)
	}
}

// TestSizing_TasksFromTheTaskSize: the default task count divides the
// peak by what one task of loadTest.cpu carries (RatePerVCPU per vCPU).
func TestSizing_TasksFromTheTaskSize(t *testing.T) {
	content := strings.Replace(goodSizing, "maxRate: 2000", "maxRate: 3000", 1)
	for cpu, want := range map[string]int{"": 2, "loadTest: {cpu: 2048}\n": 1} {
		if got := loadOK(t, content+cpu).SizingTasks(1); got != want {
			t.Errorf("%q: SizingTasks(1) = %d for a 3000 req/s peak, want %d", cpu, got, want)
		}
	}
}

// TestSizing_TheFirstOfEquallyWideCandidatesIsPlanned: the sizing
// endpoint's load test (what the dashboard shows as planned) follows the
// candidate with the highest peak, the first one on a tie.
func TestSizing_TheFirstOfEquallyWideCandidatesIsPlanned(t *testing.T) {
	content := strings.Replace(goodSizing, "    - instanceType: ml.c6i.xlarge\n", "    - {instanceType: ml.c6i.xlarge, startRate: 50}\n", 1)
	content = strings.Replace(content, ", maxRate: 2000}", "}", 1)
	c := loadOK(t, content)
	if got, want := c.SizingEndpoint().LoadTest.Steps, c.Sizing.Steps(0); got != want || got == c.Sizing.Steps(1) {
		t.Errorf("sizing endpoint plans %q, want candidate 0's %q (candidate 1: %q)", got, want, c.Sizing.Steps(1))
	}
}

// TestSizing_NoCandidatesIsAProblemNotAPanic: without candidates a
// start/max plan has no rates to show, and Load says what is missing.
func TestSizing_NoCandidatesIsAProblemNotAPanic(t *testing.T) {
	content := goodSizing[:strings.Index(goodSizing, "  candidates:")] + "  candidates: []\n" + goodSizing[strings.Index(goodSizing, "  slo:"):]
	if got, want := loadErr(t, content), "sagesize.yaml: sizing.candidates: is required"; !strings.HasPrefix(got, want) {
		t.Errorf("no candidates: %s; want %s…", got, want)
	}
}

// TestLoad_DuplicateNotebooksAndTenVariants: two notebooks of one name
// are refused; an endpoint may have SageMaker's maximum of 10 variants.
func TestLoad_DuplicateNotebooksAndTenVariants(t *testing.T) {
	got := loadErr(t, goodLoadTest+"notebooks:\n  - {name: nb, instanceType: ml.t3.medium}\n  - {name: nb, instanceType: ml.t3.medium}\n")
	if want := `sagesize.yaml: notebooks[1].name: duplicates notebooks[0].name "nb"`; got != want {
		t.Errorf("duplicate notebooks:\n got: %s\nwant: %s", got, want)
	}
	var vs []string
	for i := range maxVariants {
		vs = append(vs, fmt.Sprintf("{name: v%d, instanceType: ml.m5.large}", i))
	}
	loadOK(t, strings.Replace(goodLoadTest, "[{instanceType: ml.m5.large}]", "["+strings.Join(vs, ", ")+"]", 1))
}

// TestLoad_AlarmNamesUpTo255Characters: CloudWatch allows alarm names of
// 255 characters. Names within SageMaker's and the stack's limits never
// come near; a variant name past 63 characters can, and is refused for
// the alarm name only past 255.
func TestLoad_AlarmNamesUpTo255Characters(t *testing.T) {
	cfg := func(variant int) string {
		return "project: " + strings.Repeat("p", 32) + "\nrelease: " + strings.Repeat("r", 32) + "\nendpoints:\n  - name: " + strings.Repeat("e", 63) +
			"\n    variants: [{name: " + strings.Repeat("v", variant) + ", instanceType: ml.m5.large}]\n    slo: {latency: 100ms}\n"
	}
	// 32 + 32 + 63 + 95 + len("GPUMemoryUtilization") + len("Critical") + 5 hyphens = 255.
	if got := loadErr(t, cfg(95)); strings.Contains(got, "makes alarm names") {
		t.Errorf("255-character alarm names refused: %s", got)
	}
	if got := loadErr(t, cfg(96)); !strings.Contains(got, "makes alarm names of 256 characters") {
		t.Errorf("256-character alarm names accepted: %s", got)
	}
}

// TestLoad_SLOLatencyMustBePositive: an SLO of 0 is no objective.
func TestLoad_SLOLatencyMustBePositive(t *testing.T) {
	got := loadErr(t, strings.Replace(goodLoadTest, "slo: {latency: 100ms}", "slo: {latency: 0s}", 1))
	if !strings.Contains(got, "endpoints[0].slo.latency: is required and must be positive") {
		t.Errorf("slo latency 0: %s", got)
	}
}

// TestLoad_EqualOrZeroThresholdsAreRefused: latency thresholds must be
// positive and critical strictly above warning; explicit sizing rates
// must strictly rise.
func TestLoad_EqualOrZeroThresholdsAreRefused(t *testing.T) {
	ep := "project: lt\nendpoints:\n  - {name: model, variants: [{instanceType: ml.m5.large}], slo: {latency: 100ms}, alarms: {modelLatency: %s}}\n"
	for given, want := range map[string]string{
		"{warning: 0s, critical: 100ms}":    "endpoints[0].alarms.modelLatency.warning: must be positive, got 0s",
		"{critical: 0s}":                    "endpoints[0].alarms.modelLatency.critical: must be positive, got 0s",
		"{warning: 100ms, critical: 100ms}": "endpoints[0].alarms.modelLatency.critical: must be above warning (100ms), got 100ms",
	} {
		if got := loadErr(t, fmt.Sprintf(ep, given)); !strings.Contains(got, want) {
			t.Errorf("modelLatency %s: %s; want %s", given, got, want)
		}
	}
	rates := strings.Replace(goodSizing, "    startRate: 20\n    maxRate: 100\n", "    rates: [10, 10]\n", 1)
	rates = strings.Replace(rates, ", maxRate: 2000}", "}", 1)
	if got, want := loadErr(t, rates), "sizing.plan.rates[1]: must be above the rate before it (10): steps rise"; !strings.Contains(got, want) {
		t.Errorf("rates [10, 10]: %s; want %s", got, want)
	}
}

// TestLoad_EachBadThresholdIsReportedOnce: a critical latency of 0 under
// a positive warning is not positive, and reported as that only; 0 % is
// no utilization threshold.
func TestLoad_EachBadThresholdIsReportedOnce(t *testing.T) {
	ep := "project: lt\nendpoints:\n  - {name: model, variants: [{instanceType: ml.m5.large}], slo: {latency: 100ms}, alarms: {%s}}\n"
	for given, want := range map[string]string{
		"modelLatency: {warning: 100ms, critical: 0s}": "sagesize.yaml: endpoints[0].alarms.modelLatency.critical: must be positive, got 0s",
		"cpuUtilization: {critical: 0%}":               "sagesize.yaml: endpoints[0].alarms.cpuUtilization.critical: must be above 0% and at most 100%, got 0%",
	} {
		if got := loadErr(t, fmt.Sprintf(ep, given)); got != want {
			t.Errorf("%s:\n got: %s\nwant: %s", given, got, want)
		}
	}
}

// TestSizing_GrowthAtItsMinimum: a growth of exactly minSizingGrowth is
// valid and gives rates; a plan without a start rate gives none (the zero
// plan, which Validate explains).
func TestSizing_GrowthAtItsMinimum(t *testing.T) {
	content := strings.Replace(goodSizing, "    startRate: 20\n", "    startRate: 99\n    growth: 1.01\n", 1)
	content = strings.Replace(content, ", maxRate: 2000}", "}", 1)
	c := loadOK(t, content)
	if got := c.Sizing.Rates(0); !slices.Equal(got, []float64{99, 100}) {
		t.Errorf("Rates(0) = %v with growth %v, want [99 100]", got, minSizingGrowth)
	}
	s := &Sizing{Plan: SizingPlan{StartRate: 0, MaxRate: 100, Growth: 1.5}, Candidates: []Candidate{{}}}
	if got := s.Rates(0); got != nil {
		t.Errorf("Rates(0) without a start rate = %v, want none", got)
	}
}

// TestLoad_ThresholdAndEvaluationEdgesThatAreValid: 100 % is a valid
// utilization threshold, one evaluation period a valid evaluation.
func TestLoad_ThresholdAndEvaluationEdgesThatAreValid(t *testing.T) {
	loadOK(t, strings.Replace(goodLoadTest, "slo: {latency: 100ms}", "slo: {latency: 100ms}\n    alarms: {cpuUtilization: {warning: 90%, critical: 100%}}", 1))
	loadOK(t, goodLoadTest+"alarmDefaults: {evaluationPeriods: 1, datapointsToAlarm: 1}\n")
}

// TestCheckCapacity_CountsTasksUpTo1000TimesMaxTasks: the error names the
// tasks needed while that count is at most 1000 × MaxTasks.
func TestCheckCapacity_CountsTasksUpTo1000TimesMaxTasks(t *testing.T) {
	l := &LoadTestInfra{CPU: 1024}
	if err := l.CheckCapacity(RatePerVCPU*MaxTasks*1000, 1); err == nil || !strings.HasSuffix(err.Error(), "at least 100000 tasks are needed") {
		t.Errorf("peak of 100000 tasks: %v", err)
	}
	if err := l.CheckCapacity(RatePerVCPU*MaxTasks*1000+1, 1); err == nil || !strings.HasSuffix(err.Error(), "far more than 100 tasks would be needed") {
		t.Errorf("peak of 100001 tasks: %v", err)
	}
}

// TestLoad_EvaluationsLongerThanADayAreRefused: CloudWatch evaluates at
// most 24h (evaluationPeriods × period).
func TestLoad_EvaluationsLongerThanADayAreRefused(t *testing.T) {
	got := loadErr(t, goodLoadTest+"alarmDefaults: {period: 1h, evaluationPeriods: 25, datapointsToAlarm: 1}\n")
	if want := "sagesize.yaml: alarmDefaults.evaluationPeriods: evaluationPeriods × period is 25h0m0s; CloudWatch allows at most 24h"; got != want {
		t.Errorf("25 × 1h:\n got: %s\nwant: %s", got, want)
	}
	loadOK(t, goodLoadTest+"alarmDefaults: {period: 1h, evaluationPeriods: 24, datapointsToAlarm: 1}\n")
}

// TestLoad_NotebookEdgesThatAreValid: metricsInterval from 1s to 1h and an
// ML volume from 5 to 16384 GB are valid; a malformed subnet id is not.
func TestLoad_NotebookEdgesThatAreValid(t *testing.T) {
	nb := "project: nb\nnotebooks:\n  - {name: ds, instanceType: ml.t3.medium, %s, alarms: {cpuUtilization: {critical: 90%%}}}\n"
	create := "create: {roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution', directInternetAccess: true, %s}"
	for _, given := range []string{
		"metricsInterval: 1s",
		"metricsInterval: 1h, evaluation: {period: 1h}",
		fmt.Sprintf(create, "volumeSizeGB: 5"),
		fmt.Sprintf(create, "volumeSizeGB: 16384"),
	} {
		loadOK(t, fmt.Sprintf(nb, given))
	}
	got := loadErr(t, fmt.Sprintf(nb, fmt.Sprintf(create, "subnetId: subnet-xyz, securityGroupIds: [sg-0123456789abcdef0]")))
	if want := `sagesize.yaml: notebooks[0].create.subnetId: must be a subnet id such as subnet-0123456789abcdef0, got "subnet-xyz"`; got != want {
		t.Errorf("bad subnet id:\n got: %s\nwant: %s", got, want)
	}
}

// TestSizing_ContentType: the sizing plan's content type defaults to
// application/json and reaches the sizing endpoint's load test.
func TestSizing_ContentType(t *testing.T) {
	for extra, want := range map[string]string{"": "application/json", "    contentType: text/csv\n": "text/csv"} {
		c := loadOK(t, goodSizing+extra)
		if got := c.SizingEndpoint().LoadTest.ContentType; got != want {
			t.Errorf("plan %q: content type %q, want %q", extra, got, want)
		}
	}
}

// TestPercentile_Bounds: a percentile is strictly between p0 and p100.
func TestPercentile_Bounds(t *testing.T) {
	for s, ok := range map[string]bool{"p0": false, "p100": false, "p0.1": true, "p99.99": true} {
		var p Percentile
		if err := p.parse(s); (err == nil) != ok {
			t.Errorf("%s: %v; want valid %v", s, err, ok)
		}
	}
}

// TestSizing_PercentBoundsAndPositiveRates: maxErrorRate and headroom run
// from 0 % to below 100 %; an explicit rate must be positive.
func TestSizing_PercentBoundsAndPositiveRates(t *testing.T) {
	for _, key := range []string{"maxErrorRate", "headroom"} {
		loadOK(t, goodSizing+"  "+key+": 0%\n")
		if got, want := loadErr(t, goodSizing+"  "+key+": 100%\n"), "sizing."+key+": must be from 0% to below 100%, got 100%"; !strings.Contains(got, want) {
			t.Errorf("%s 100%%: %s; want %s", key, got, want)
		}
	}
	rates := strings.Replace(goodSizing, "    startRate: 20\n    maxRate: 100\n", "    rates: [0, 10]\n", 1)
	rates = strings.Replace(rates, ", maxRate: 2000}", "}", 1)
	if got, want := loadErr(t, rates), "sizing.plan.rates[0]: must be a positive number of requests per second, got 0"; !strings.Contains(got, want) {
		t.Errorf("rates [0, 10]: %s; want %s", got, want)
	}
}

// TestSizing_PlanEdgesThatAreValid: 30 steps (maxSizingSteps), 100 tasks,
// and a peak that needs exactly 100 tasks are valid.
func TestSizing_PlanEdgesThatAreValid(t *testing.T) {
	var rates []string
	for i := 1; i <= maxSizingSteps; i++ {
		rates = append(rates, fmt.Sprint(10*i))
	}
	explicit := strings.Replace(goodSizing, "    startRate: 20\n    maxRate: 100\n", "    rates: ["+strings.Join(rates, ", ")+"]\n", 1)
	loadOK(t, strings.Replace(explicit, ", maxRate: 2000}", "}", 1))
	loadOK(t, strings.Replace(goodSizing, "    startRate: 20\n", "    startRate: 20\n    tasks: 100\n", 1))
	loadOK(t, strings.Replace(goodSizing, "maxRate: 2000", fmt.Sprint("maxRate: ", RatePerVCPU*MaxTasks), 1))
}

// TestSizing_StreamPromptsReplaceThePayload: a streaming plan with its
// own prompts needs no payload, and a payload given anyway is checked.
func TestSizing_StreamPromptsReplaceThePayload(t *testing.T) {
	stream := "    stream: {format: openai, prompts: s3://shop-payloads/prompts.jsonl}\n"
	loadOK(t, strings.Replace(goodSizing, "    payload: s3://shop-payloads/request.json\n", stream, 1))
	got := loadErr(t, strings.Replace(goodSizing, "    payload: s3://shop-payloads/request.json\n", stream+"    payload: not-s3\n", 1))
	if want := `sagesize.yaml: sizing.plan.payload: must be an S3 object URI such as s3://my-bucket/payloads/request.json, got "not-s3"`; got != want {
		t.Errorf("bad payload beside prompts:\n got: %s\nwant: %s", got, want)
	}
	got = loadErr(t, strings.Replace(goodSizing, "    payload: s3://shop-payloads/request.json\n", stream+"    body: '"+strings.Repeat("x", MaxInlineBody+1)+"'\n", 1))
	if !strings.Contains(got, "sizing.plan.body: is 4097 bytes") {
		t.Errorf("oversized body beside prompts: %s", got)
	}
}

// Tests written to kill mutants that lived under make mutate PKGS=config#2
// (stream.go, kinds.go, names.go, gate.go, autoscaling.go, dashboards.go,
// cwprices.go, releases.go, shape.go).

// parseProblems parses content and returns its error message ("" when
// valid).
func parseProblems(content string) string {
	if _, err := Parse([]byte(content), nil); err != nil {
		return err.Error()
	}
	return ""
}

// TestAutoscaling_BoundsThatAreValid: every autoscaling bound is
// inclusive where the message says so: headroom 0%, one instance (min =
// max), 100 instances, an instanceCount at either bound, cooldowns of 0s
// and 1h.
func TestAutoscaling_BoundsThatAreValid(t *testing.T) {
	for _, block := range []string{
		"{minInstances: 1, maxInstances: 1, targetInvocationsPerInstance: 5, headroom: 0%}",
		"{minInstances: 100, maxInstances: 100, targetInvocationsPerInstance: 5}",
		"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, scaleInCooldown: 0s, scaleOutCooldown: 1h}",
		"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, scaleInCooldown: 1h, scaleOutCooldown: 0s}",
	} {
		if got := parseProblems(autoscalingConfig(KindRealtime, "ml.c5.xlarge", block)); got != "" {
			t.Errorf("%s refused: %s", block, got)
		}
	}
	for _, count := range []string{"2", "4"} {
		cfg := strings.Replace(autoscalingConfig(KindRealtime, "ml.c5.xlarge", "{minInstances: 2, maxInstances: 4, targetInvocationsPerInstance: 5}"),
			"      - instanceType: ml.c5.xlarge\n", "      - instanceType: ml.c5.xlarge\n        instanceCount: "+count+"\n", 1)
		if got := parseProblems(cfg); got != "" {
			t.Errorf("instanceCount %s within 2-4 refused: %s", count, got)
		}
	}
}

// TestAutoscaling_BoundsThatAreNot: headroom 100%, a zero target, a
// cooldown that is not whole seconds and 101 instances are refused by name.
func TestAutoscaling_BoundsThatAreNot(t *testing.T) {
	p := "endpoints[0].variants[0].autoscaling"
	for _, tc := range []struct{ block, want string }{
		{"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, headroom: 100%}", p + ".headroom: must be at least 0% and below 100%"},
		{"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 0}", p + ".targetInvocationsPerInstance: must be a positive number of invocations per instance per minute, got 0"},
		{"{minInstances: 1, maxInstances: 101, targetInvocationsPerInstance: 5}", p + ".maxInstances: must be between 1 and 100, got 101"},
		{"{minInstances: 1, maxInstances: 0, targetInvocationsPerInstance: 5}", p + ".maxInstances: must be between 1 and 100, got 0"},
		{"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, scaleOutCooldown: 1500ms}", p + ".scaleOutCooldown: must be whole seconds from 0s to 1h, got 1.5s"},
		{"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, scaleOutCooldown: -1s}", p + ".scaleOutCooldown: must be whole seconds from 0s to 1h, got -1s"},
	} {
		if got := parseProblems(autoscalingConfig(KindRealtime, "ml.c5.xlarge", tc.block)); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q\nwant it to contain %q", tc.block, got, tc.want)
		}
	}
}

// TestAutoscaling_TargetAboveTheReportSaysWhatToUse: a direct target above
// the measured rate names the highest target that would do (the
// sustainable rate per minute, 1200) and the one fromSizing alone gives
// (× (1 − 30 %) = 840).
func TestAutoscaling_TargetAboveTheReportSaysWhatToUse(t *testing.T) {
	report := sizingReportFile(t, t.TempDir(), 20, 0.3)
	got := parseProblems(autoscalingConfig(KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: "+report+", targetInvocationsPerInstance: 1201}"))
	if want := "use at most 1200, or remove it to get 840 (with 30% headroom)"; !strings.Contains(got, want) {
		t.Errorf("%s\nwant it to contain %q", got, want)
	}
}

// reportJSON writes a sizing report with one ml.c5.xlarge candidate that
// sustains (or not) perInstance req/s, with the report's headroom.
func reportJSON(t *testing.T, sustains bool, perInstance, headroom float64) string {
	t.Helper()
	doc := fmt.Sprintf(`{"endpoint":"churn-sizing","headroom":%v,"candidates":[{"variant":"c5-xl","instance_type":"ml.c5.xlarge","sustains":%v,"sustainable_rate_per_instance":%v}]}`,
		headroom, sustains, perInstance)
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAutoscaling_ReportEdges: a report's headroom of 0 is valid (the
// target is the whole sustainable rate), one of 1 is not; a candidate
// marked as sustaining a rate of 0 has no rate to scale on.
func TestAutoscaling_ReportEdges(t *testing.T) {
	block := func(report string) string {
		return autoscalingConfig(KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: "+report+"}")
	}
	c, err := Parse([]byte(block(reportJSON(t, true, 10, 0))), nil)
	if err != nil {
		t.Fatalf("headroom 0 refused: %v", err)
	}
	if got := c.Endpoints[0].Variants[0].Autoscaling.Target; got != 600 {
		t.Errorf("target with no headroom = %v, want 600 (10 req/s × 60)", got)
	}
	if got := parseProblems(block(reportJSON(t, true, 10, 1))); !strings.Contains(got, "headroom 1 is outside [0, 1)") {
		t.Errorf("headroom 1: %q, want it refused", got)
	}
	if got := parseProblems(block(reportJSON(t, true, 0, 0.3))); !strings.Contains(got, "sustained no step of the sizing test (sustainable rate per instance 0)") {
		t.Errorf("sustainable rate 0: %q, want no measured rate", got)
	}
}

// TestReadReportFile_SizeLimit: a report of exactly maxReportBytes (a
// valid one, led by blanks, so that losing its last byte breaks it) is
// read whole and accepted; one byte more is refused before reading, with
// the limit in MiB.
func TestReadReportFile_SizeLimit(t *testing.T) {
	dir := t.TempDir()
	doc := `{"endpoint":"churn-sizing","headroom":0.3,"candidates":[{"variant":"c5-xl","instance_type":"ml.c5.xlarge","sustains":true,"sustainable_rate_per_instance":20}]}`
	sized := func(n int) string {
		path := filepath.Join(dir, fmt.Sprintf("report-%d.json", n))
		if err := os.WriteFile(path, []byte(strings.Repeat(" ", n-len(doc))+doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if r, err := readSizingReport(sized(maxReportBytes)); err != nil || len(r.Candidates) != 1 {
		t.Errorf("a report of maxReportBytes: %+v, %v; want it read whole", r, err)
	}
	if _, err := readSizingReport(sized(maxReportBytes + 1)); err == nil || !strings.Contains(err.Error(), "(at most 16 MiB read)") {
		t.Errorf("a file past maxReportBytes: %v, want it refused by size, naming 16 MiB", err)
	}
}

// TestGate_EdgesThatAreValid: p50 equal to p99, an error rate of 0% or
// 100%, an achieved rate of 100% and a p99 of exactly 1h are criteria a
// gate may set.
func TestGate_EdgesThatAreValid(t *testing.T) {
	for _, gate := range []string{
		"{p50: 300ms, p99: 300ms, errorRate: 0%, achievedRate: 100%}",
		"{errorRate: 100%, p99: 1h}",
	} {
		if got := parseProblems(strings.Replace(gateConfig, "%s", gate, 1)); got != "" {
			t.Errorf("gate %s refused: %s", gate, got)
		}
	}
}

// TestLoad_KindEdgesThatAreValid: the inclusive ends of SageMaker's
// serverless limits (1024 and 6144 MB, 1 and 200 concurrent, provisioned
// 0 or up to maxConcurrency), ten serverless variants, a failure count
// threshold of 1, and an inference component reserving the whole of the
// largest instance (48 vCPUs, 192 GiB, 4 GPUs of an ml.g5.12xlarge).
func TestLoad_KindEdgesThatAreValid(t *testing.T) {
	var ten strings.Builder
	for i := range 10 {
		fmt.Fprintf(&ten, "      - {name: v%d, serverless: {memorySizeInMB: 1024, maxConcurrency: 1}}\n", i)
	}
	for name, cfg := range map[string]string{
		"smallest":         strings.Replace(goodServerless, "{memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}", "{memorySizeInMB: 1024, maxConcurrency: 1, provisionedConcurrency: 1}", 1),
		"largest":          strings.Replace(goodServerless, "{memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}", "{memorySizeInMB: 6144, maxConcurrency: 200, provisionedConcurrency: 200}", 1),
		"none provisioned": strings.Replace(goodServerless, "provisionedConcurrency: 2", "provisionedConcurrency: 0", 1),
		"ten variants":     strings.Replace(goodServerless, "      - serverless: {memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}\n", ten.String(), 1),
		"one failure":      strings.Replace(goodAsync, "invocationFailures: {critical: 5}", "invocationFailures: {warning: 1, critical: 2}", 1),
		"whole instance": strings.Replace(goodComponents, "{name: llama-8b, copies: 2, cpuCores: 4, memoryMiB: 16384, accelerators: 1}",
			"{name: llama-8b, copies: 1, cpuCores: 48, memoryMiB: 196608, accelerators: 4}", 1),
		"nothing reserved": strings.Replace(goodComponents, "cpuCores: 4, memoryMiB: 16384, accelerators: 1", "cpuCores: 0, memoryMiB: 0, accelerators: 0", 1),
	} {
		if got := parseProblems(cfg); got != "" {
			t.Errorf("%s refused: %s", name, got)
		}
	}
}

// TestLoad_KindEdgesThatAreNot: one past each of those ends is refused by
// name.
func TestLoad_KindEdgesThatAreNot(t *testing.T) {
	var eleven strings.Builder
	for i := range 11 {
		fmt.Fprintf(&eleven, "      - {name: v%d, serverless: {memorySizeInMB: 1024, maxConcurrency: 1}}\n", i)
	}
	sv := "{memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}"
	ic := "{name: llama-8b, copies: 2, cpuCores: 4, memoryMiB: 16384, accelerators: 1}"
	for _, tc := range []struct{ cfg, want string }{
		{strings.Replace(goodServerless, sv, "{memorySizeInMB: 7168, maxConcurrency: 20}", 1), "memorySizeInMB: must be 1024, 2048, 3072, 4096, 5120 or 6144, got 7168"},
		{strings.Replace(goodServerless, sv, "{memorySizeInMB: 0, maxConcurrency: 20}", 1), "memorySizeInMB: must be 1024, 2048, 3072, 4096, 5120 or 6144, got 0"},
		{strings.Replace(goodServerless, sv, "{memorySizeInMB: 1024, maxConcurrency: 201}", 1), "maxConcurrency: must be between 1 and 200, got 201"},
		{strings.Replace(goodServerless, sv, "{memorySizeInMB: 1024, maxConcurrency: 0}", 1), "maxConcurrency: must be between 1 and 200, got 0"},
		{strings.Replace(goodServerless, sv, "{memorySizeInMB: 1024, maxConcurrency: 20, provisionedConcurrency: 21}", 1), "provisionedConcurrency: must be between 1 and maxConcurrency (20), or 0 for none, got 21"},
		{strings.Replace(goodServerless, sv, "{memorySizeInMB: 1024, maxConcurrency: 20, provisionedConcurrency: -1}", 1), "provisionedConcurrency: must be between 1 and maxConcurrency (20), or 0 for none, got -1"},
		{strings.Replace(goodServerless, "      - serverless: "+sv+"\n", eleven.String(), 1), "endpoints[0].variants: has 11 variants; a SageMaker endpoint has at most 10"},
		{strings.Replace(goodAsync, "invocationFailures: {critical: 5}", "invocationFailures: {warning: 0, critical: 2}", 1), "invocationFailures.warning: must be at least 1"},
		{strings.Replace(goodAsync, "invocationFailures: {critical: 5}", "invocationFailures: {warning: 1, critical: 1}", 1), "invocationFailures.critical: must be above warning (1), got 1"},
		{strings.Replace(goodAsync, "invocationFailures: {critical: 5}", "invocationFailures: {}", 1), "invocationFailures: needs a warning or critical threshold"},
		{strings.Replace(goodServerless, "slo: {latency: 800ms}", "slo: {latency: 0s}", 1), "endpoints[0].slo.latency: is required and must be positive"},
		{strings.Replace(goodAsync, "invocationFailures: {critical: 5}", "invocationFailures: {warning: 2, critical: 2}", 1), "invocationFailures.critical: must be above warning (2), got 2"},
		{strings.Replace(goodComponents, ic, "{name: llama-8b, cpuCores: 49}", 1), "cpuCores: must be between 0 and the instance's 48 vCPUs, got 49"},
		{strings.Replace(goodComponents, ic, "{name: llama-8b, memoryMiB: 196609}", 1), "memoryMiB: must be between 0 and the instance's 196608 MiB, got 196609"},
		{strings.Replace(goodComponents, ic, "{name: llama-8b, accelerators: 5}", 1), "accelerators: must be between 0 and the instance's 4 accelerators, got 5"},
		{strings.Replace(goodComponents, ic, "{name: llama-8b, cpuCores: -1, memoryMiB: -1, accelerators: -1}", 1), "cpuCores: must be between 0"},
		{strings.Replace(goodComponents, ic, "{name: llama-8b, memoryMiB: -1}", 1), "memoryMiB: must be between 0"},
		{strings.Replace(goodComponents, ic, "{name: llama-8b, accelerators: -1}", 1), "accelerators: must be between 0"},
	} {
		if got := parseProblems(tc.cfg); !strings.Contains(got, tc.want) {
			t.Errorf("%q\nwant it to contain %q", got, tc.want)
		}
	}
}

// streamWith is streamConfig with the format, output tokens' stddev and
// TPOT SLO given, and its inputTokens replaced by in.
func streamWith(format, stddev, tpot, in string) string {
	cfg := strings.Replace(strings.Replace(strings.Replace(streamConfig, "%s", format, 1), "%s", stddev, 1), "%s", tpot, 1)
	return strings.Replace(cfg, "inputTokens: {mean: 512, stddev: 128}", "inputTokens: "+in, 1)
}

// TestStream_EdgesThatAreValid: token lengths of 1 and MaxTokenLength, a
// stddev of 0 or equal to the mean, and a 1h SLO are valid.
func TestStream_EdgesThatAreValid(t *testing.T) {
	for _, cfg := range []string{
		streamWith("tgi", "0", "1h", "{mean: 1, stddev: 1}"),
		streamWith("text", "200", "1ns", fmt.Sprintf("{mean: %d, stddev: 0}", MaxTokenLength)),
	} {
		if got := parseProblems(cfg); got != "" {
			t.Errorf("refused: %s\n%s", got, cfg)
		}
	}
}

// TestStream_EdgesThatAreNot: one past each end is refused by name.
func TestStream_EdgesThatAreNot(t *testing.T) {
	p := "endpoints[0].loadTest.stream"
	for _, tc := range []struct{ cfg, want string }{
		{streamWith("auto", "0", "25ms", "{mean: 0.5, stddev: 0}"), p + ".inputTokens.mean: must be a token count between 1 and 1048576, got 0.5"},
		{streamWith("auto", "0", "25ms", fmt.Sprintf("{mean: %d, stddev: 0}", MaxTokenLength+1)), p + ".inputTokens.mean: must be a token count between 1 and 1048576, got 1.048577e+06"},
		{streamWith("auto", "0", "25ms", "{mean: 10, stddev: -1}"), p + ".inputTokens.stddev: must be between 0 and the mean (10), got -1"},
		{streamWith("auto", "0", "25ms", "{mean: 10, stddev: 10.5}"), p + ".inputTokens.stddev: must be between 0 and the mean (10), got 10.5"},
		{streamWith("auto", "0", "0s", "{mean: 10, stddev: 1}"), p + ".slo.tpot: must be a positive duration such as 500ms, got 0s"},
		{streamWith("auto", "0", "61m", "{mean: 10, stddev: 1}"), p + ".slo.tpot: must be at most 1h, got 1h1m0s"},
	} {
		if got := parseProblems(tc.cfg); !strings.Contains(got, tc.want) {
			t.Errorf("%q\nwant it to contain %q", got, tc.want)
		}
	}
}

// TestLoad_ComponentsOnAnUnknownInstanceType: when the instance type does
// not resolve, the reservations are not compared with a zero-sized
// instance: the one problem is the instance type.
func TestLoad_ComponentsOnAnUnknownInstanceType(t *testing.T) {
	got := parseProblems(strings.Replace(goodComponents, "ml.g5.12xlarge", "ml.zz.huge", 1))
	if want := `endpoints[0].variants[0].instanceType: unknown instance type "ml.zz.huge"`; got != want {
		t.Errorf("%s\nwant only %s", got, want)
	}
}

// derivedNames parses content and returns its derived names.
func derivedNames(t *testing.T, content string) []string {
	t.Helper()
	c, err := Parse([]byte(content), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range c.DerivedNames() {
		names = append(names, d.Name)
	}
	return names
}

// TestDerivedNames_GPUAlarmsOnlyWhereThereIsAGPU: of an endpoint's GPU and
// CPU variants only the GPU one gets GPU alarms; a GPU notebook gets its
// own.
func TestDerivedNames_GPUAlarmsOnlyWhereThereIsAGPU(t *testing.T) {
	names := derivedNames(t, `project: p
endpoints:
  - name: e
    variants: [{name: gpu, instanceType: ml.g5.xlarge}, {name: cpu, instanceType: ml.c5.xlarge}]
    slo: {latency: 1s}
    alarms: {gpuUtilization: {critical: 95%}}
notebooks:
  - {name: nb, instanceType: ml.g5.xlarge, alarms: {gpuUtilization: {critical: 95%}}}
`)
	for _, want := range []string{"p-e-gpu-GPUUtilization-Critical", "p-nb-GPUUtilization-Critical"} {
		if !slices.Contains(names, want) {
			t.Errorf("names lack %s: %v", want, names)
		}
	}
	if slices.Contains(names, "p-e-cpu-GPUUtilization-Critical") {
		t.Errorf("the CPU variant got a GPU alarm: %v", names)
	}
}

// longEndpoint is an endpoint of a 63-character name with ten GPU
// variants of 60-character names and the alarms given: its alarm names
// are about 160 characters long.
func longEndpoint(alarms string) (config, composite string) {
	ep := strings.Repeat("e", 63)
	var b strings.Builder
	fmt.Fprintf(&b, "project: p\nendpoints:\n  - name: %s\n    slo: {latency: 1s}\n    variants:\n", ep)
	for i := range 10 {
		fmt.Fprintf(&b, "      - {name: %s%d, instanceType: ml.g5.xlarge}\n", strings.Repeat("v", 59), i)
	}
	b.WriteString("    alarms:\n" + alarms)
	return b.String(), "p-" + ep + "-AnyCritical"
}

// TestDerivedNames_TheCompositeSplitsOverItsCriticalAlarms: the composite
// gathers the critical alarms. Seven critical alarms per variant make a
// rule past naming.MaxCompositeRule, split in groups (their ten warnings
// alone would fit one rule); one critical per variant (the SLO's) fits
// one rule, although with six warnings per variant all the alarms would
// not.
func TestDerivedNames_TheCompositeSplitsOverItsCriticalAlarms(t *testing.T) {
	cfg, top := longEndpoint("      invocation5xxErrorRate: {critical: 5%}\n      cpuUtilization: {warning: 80%, critical: 90%}\n" +
		"      memoryUtilization: {critical: 90%}\n      diskUtilization: {critical: 90%}\n      gpuUtilization: {critical: 95%}\n      gpuMemoryUtilization: {critical: 95%}\n")
	names := derivedNames(t, cfg)
	for _, want := range []string{top, top + "-1", top + "-2"} {
		if !slices.Contains(names, want) {
			t.Errorf("seven criticals per variant: names lack %s", want)
		}
	}
	cfg, top = longEndpoint("      invocation5xxErrorRate: {warning: 5%}\n      cpuUtilization: {warning: 80%}\n" +
		"      memoryUtilization: {warning: 90%}\n      diskUtilization: {warning: 90%}\n      gpuUtilization: {warning: 95%}\n      gpuMemoryUtilization: {warning: 95%}\n")
	names = derivedNames(t, cfg)
	if !slices.Contains(names, top) || slices.Contains(names, top+"-1") {
		t.Errorf("one critical per variant: want %s unsplit, got %v", top, names)
	}
}

// TestLoad_EmptyValuesLeaveTheZeroValue: a key with no value (a YAML
// null) is as if left out, whatever its type.
func TestLoad_EmptyValuesLeaveTheZeroValue(t *testing.T) {
	c := loadOK(t, `project: p
dashboards:
endpoints:
  - name: e
    variants: [{instanceType: ml.c5.xlarge, instanceCount: ~}]
    slo: {latency: 1s}
    alarms:
`)
	if c.Dashboards.Layout != "" || c.Endpoints[0].Variants[0].InstanceCount != nil {
		t.Errorf("empty values set %+v, %v", c.Dashboards, c.Endpoints[0].Variants[0].InstanceCount)
	}
}

// TestLoad_AProblemUnderAnAliasIsReportedOnceAndLaterOnesStill: an
// anchored value with a problem, used twice, is reported at its first
// use only, and the problems after its second use are reported.
func TestLoad_AProblemUnderAnAliasIsReportedOnceAndLaterOnesStill(t *testing.T) {
	got := loadErr(t, `project: p
x-slo: &slo {latency: fast}
endpoints:
  - {name: a, variants: [{instanceType: ml.c5.xlarge}], slo: *slo}
  - {name: b, variants: [{instanceType: ml.c5.xlarge}], slo: *slo}
  - {name: c, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: slow}}
`)
	if n := strings.Count(got, "\n") + 1; n != 2 || !strings.Contains(got, "endpoints[0].slo.latency (line 2)") || !strings.Contains(got, "endpoints[2].slo.latency (line 6)") {
		t.Errorf("want the anchored problem once (endpoints[0], line 2) and endpoints[2]'s, got %d lines:\n%s", n, got)
	}
}

// TestDecodeShape_AnEmptyDocumentIsAProblemNotAPanic: a document node
// without content (yaml.v3 does not make one, decodeShape does not rely
// on it) is reported as not a mapping.
func TestDecodeShape_AnEmptyDocumentIsAProblemNotAPanic(t *testing.T) {
	var c Config
	ps := decodeShape(&yaml.Node{Kind: yaml.DocumentNode}, &c)
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "must be a mapping of") {
		t.Errorf("problems %v, want one: must be a mapping", ps)
	}
}

// TestDecodeShape_AliasBudgetIsMaxAliasValues: aliases may repeat exactly
// MaxAliasValues values (1000 uses of a 99-item list, each use counting the
// list and its items); one more stops the walk with a problem.
func TestDecodeShape_AliasBudgetIsMaxAliasValues(t *testing.T) {
	type doc struct {
		A []string   `yaml:"a"`
		L [][]string `yaml:"l"`
		B []string   `yaml:"b"`
		M [][]string `yaml:"m"`
	}
	items := strings.TrimSuffix(strings.Repeat("x, ", 99), ", ")
	uses := strings.TrimSuffix(strings.Repeat("*a, ", 1000), ", ")
	exact := "a: &a [" + items + "]\nl: [" + uses + "]\n"
	for _, tc := range []struct {
		name, doc string
		stopped   bool
	}{{"exactly MaxAliasValues", exact, false}, {"one more", exact + "b: &b []\nm: [*b]\n", true}} {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(tc.doc), &root); err != nil {
			t.Fatal(err)
		}
		var d doc
		ps := decodeShape(&root, &d)
		stopped := len(ps) == 1 && strings.Contains(ps[0].Msg, "aliases repeat more than 100000 values")
		if stopped != tc.stopped || !stopped && len(ps) > 0 {
			t.Errorf("%s: problems %v, want the walk stopped: %v", tc.name, ps, tc.stopped)
		}
	}
}

// TestStream_OutputTokensNeedInputTokens: a stream that gives only a
// format streams the load test's body; one with output lengths and
// neither input lengths nor prompts is refused.
func TestStream_OutputTokensNeedInputTokens(t *testing.T) {
	cfg := strings.Replace(streamWith("tgi", "0", "25ms", "{mean: 10, stddev: 1}"), "      stream:\n", "      body: '{\"inputs\": \"hi\"}'\n      stream:\n", 1)
	if got := parseProblems(strings.Replace(cfg, "        inputTokens: {mean: 10, stddev: 1}\n        outputTokens: {mean: 200, stddev: 0}\n", "", 1)); got != "" {
		t.Errorf("a stream of the body refused: %s", got)
	}
	got := parseProblems(strings.Replace(cfg, "        inputTokens: {mean: 10, stddev: 1}\n", "", 1))
	if want := "endpoints[0].loadTest.stream.inputTokens: is required with outputTokens"; !strings.Contains(got, want) {
		t.Errorf("%q\nwant it to contain %q", got, want)
	}
}

// TestQuote_CutsPastMaxQuoted: a value of maxQuoted characters is quoted
// whole; one more is cut, with an ellipsis.
func TestQuote_CutsPastMaxQuoted(t *testing.T) {
	s := strings.Repeat("é", maxQuoted)
	if got := quote(s); got != `"`+s+`"` {
		t.Errorf("quote of %d characters = %s, want it whole", maxQuoted, got)
	}
	if got := quote(s + "x"); got != `"`+s+`…"` {
		t.Errorf("quote of %d characters = %s, want the first %d and …", maxQuoted+1, got, maxQuoted)
	}
}

// TestCreatesWarningAlarms: warning alarms are created without a release
// whatever releaseStacks says, and with one unless warningAlarms is false.
func TestCreatesWarningAlarms(t *testing.T) {
	base := "project: p\nendpoints:\n  - {name: e, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 1s}}\n"
	for _, tc := range []struct {
		extra string
		want  bool
	}{
		{"releaseStacks: {warningAlarms: false}\n", true},
		{"release: v1\n", true},
		{"release: v1\nreleaseStacks: {warningAlarms: true}\n", true},
		{"release: v1\nreleaseStacks: {warningAlarms: false}\n", false},
	} {
		if got := loadOK(t, base+tc.extra).CreatesWarningAlarms(); got != tc.want {
			t.Errorf("%q: CreatesWarningAlarms = %v, want %v", tc.extra, got, tc.want)
		}
	}
}

// TestCreatesAutoscaling: only the stacks without a release register
// autoscaling, unless releaseStacks.autoscaling is true.
func TestCreatesAutoscaling(t *testing.T) {
	base := "project: p\nendpoints:\n  - {name: e, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 1s}}\n"
	for _, tc := range []struct {
		extra string
		want  bool
	}{
		{"", true},
		{"releaseStacks: {autoscaling: false}\n", true},
		{"release: v1\n", false},
		{"release: v1\nreleaseStacks: {autoscaling: false}\n", false},
		{"release: v1\nreleaseStacks: {autoscaling: true}\n", true},
	} {
		if got := loadOK(t, base+tc.extra).CreatesAutoscaling(); got != tc.want {
			t.Errorf("%q: CreatesAutoscaling = %v, want %v", tc.extra, got, tc.want)
		}
	}
}

// TestLoad_ProblemsOnLinesNoOtherTestRuns: each of these configs is
// refused with the field and what would be valid.
func TestLoad_ProblemsOnLinesNoOtherTestRuns(t *testing.T) {
	p := "endpoints[0].variants[0].autoscaling"
	as := func(block string) string { return autoscalingConfig(KindRealtime, "ml.c5.xlarge", block) }
	for _, tc := range []struct{ cfg, want string }{
		{as("{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, targetConcurrentRequestsPerModel: 4}"),
			p + ".targetConcurrentRequestsPerModel: is the target of metric " + MetricConcurrentRequestsPerModel + "; this policy tracks " + MetricInvocationsPerInstance},
		{as("{minInstances: 1, maxInstances: 4, metric: " + MetricConcurrentRequestsPerModel + ", targetInvocationsPerInstance: 5, targetConcurrentRequestsPerModel: 4}"),
			p + ".targetInvocationsPerInstance: is the target of metric " + MetricInvocationsPerInstance + "; this policy tracks " + MetricConcurrentRequestsPerModel},
		{as("{minInstances: 1, maxInstances: 4, metric: " + MetricConcurrentRequestsPerModel + "}"),
			p + ".targetConcurrentRequestsPerModel: is required with metric " + MetricConcurrentRequestsPerModel},
		{as("{minInstances: 1, maxInstances: 4, metric: " + MetricConcurrentRequestsPerModel + ", targetConcurrentRequestsPerModel: 0}"),
			p + ".targetConcurrentRequestsPerModel: must be a positive number of concurrent requests, got 0"},
		{strings.Replace(goodServerless, "    variants:\n      - serverless: {memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}\n", "", 1),
			"endpoints[0].variants: is required: list the endpoint's serverless variants"},
		{goodServerless + "    evaluation: {period: 7s}\n", "endpoints[0].evaluation.period"},
		{strings.Replace(goodComponents, "    slo: {latency: 2s}\n", "    slo: {latency: 2s}\n    loadTest: {rate: 1, duration: 1m, body: x}\n", 1),
			"endpoints[0].loadTest: cannot drive an inference component"},
		{strings.Replace(streamWith("tgi", "0", "25ms", "{mean: 10, stddev: 1}"), "        inputTokens: {mean: 10, stddev: 1}\n", "        prompts: https://example.com/p.jsonl\n", 1),
			`endpoints[0].loadTest.stream.prompts: must be an S3 object URI of a JSON Lines prompt file such as s3://my-bucket/prompts.jsonl, got "https://example.com/p.jsonl"`},
		{"x-k: &k project\n*k : p\n", "keys must be plain names, got the alias *k"},
	} {
		if got := parseProblems(tc.cfg); !strings.Contains(got, tc.want) {
			t.Errorf("%q\nwant it to contain %q", got, tc.want)
		}
	}
}
