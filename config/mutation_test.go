package config

// Tests written to kill mutants that lived under make mutate PKGS=config
// (docs/mutation.md): each pins a boundary or default that the other
// tests of the package left open.

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
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
