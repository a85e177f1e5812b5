package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sagesize/sagesize/testkit/awstest"
)

// The baseline starts 30 s past a minute (its steps' whole minutes are
// inside them), the candidate on a minute.
var (
	baseStart = time.Date(2026, 11, 27, 10, 0, 30, 0, time.UTC)
	candStart = time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)
)

// onEndpoint stamps r's intervals from start, as loadgen writes them, and
// makes it a run against SageMaker endpoint ep.
func onEndpoint(r *Run, ep string, start time.Time) *Run {
	for i := range r.Intervals {
		iv := &r.Intervals[i]
		iv.Start = start.Add(time.Duration(iv.From * float64(time.Second)))
		iv.End = start.Add(time.Duration(iv.To * float64(time.Second)))
	}
	r.Summary.Target = "sagemaker endpoint " + ep + " at https://runtime.sagemaker.us-east-1.amazonaws.com (client signed)"
	return r
}

// cwEnv is the CloudWatch fake and a real SDK client pointed at it.
func cwEnv(t *testing.T) (*awstest.CloudWatch, *cloudwatch.Client) {
	t.Helper()
	cw := awstest.NewCloudWatch()
	t.Cleanup(cw.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDGATE", "secret", ""), RetryMaxAttempts: 1}
	return cw, cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(cw.URL) })
}

// seedMinutes stores, for every minute from start to end of ep, CPU
// utilization cpu(minute) on each of two instances (cpu±20, so the
// variant's average is cpu) and memory 40 %.
func seedMinutes(cw *awstest.CloudWatch, ep string, start, end time.Time, cpu func(m time.Time) float64) {
	d := map[string]string{"EndpointName": ep, "VariantName": "AllTraffic"}
	for m := start; m.Before(end); m = m.Add(time.Minute) {
		for _, delta := range []float64{-20, 20} {
			cw.Seed(awstest.Datum{Namespace: "/aws/sagemaker/Endpoints", MetricName: "CPUUtilization", Dimensions: d, Timestamp: m, Value: ptr(cpu(m) + delta)},
				awstest.Datum{Namespace: "/aws/sagemaker/Endpoints", MetricName: "MemoryUtilization", Dimensions: d, Timestamp: m, Value: ptr(40)})
		}
	}
}

// stepOf is the 1-based step of a 120-s-step run started at start.
func stepOf(start, m time.Time) float64 { return float64(int(m.Sub(start)/(2*time.Minute)) + 1) }

// twoReleases compares release v1 (baseline, endpoint churn-v1) with v2
// (candidate, churn-v2) over three 2-minute steps. Every minute of v1
// holds raw CPU 80 × step, of v2 120 × step; but v1's minutes that
// straddle a step boundary (10:00, 10:02, …) hold 999, which a window
// of whole minutes inside the step never reads.
func twoReleases(cw *awstest.CloudWatch) (*Run, *Run) {
	base := onEndpoint(synthetic(1, 1, plan3, 120, 10, 0), "churn-v1", baseStart)
	cand := onEndpoint(synthetic(2, 1, plan3, 120, 10, 0), "churn-v2", candStart)
	seedMinutes(cw, "churn-v1", baseStart.Truncate(time.Minute), baseStart.Add(7*time.Minute), func(m time.Time) float64 {
		if m.Minute()%2 == 0 {
			return 999
		}
		return 80 * stepOf(baseStart, m)
	})
	seedMinutes(cw, "churn-v2", candStart, candStart.Add(6*time.Minute), func(m time.Time) float64 { return 120 * stepOf(candStart, m) })
	return base, cand
}

type usageDoc struct {
	From, To  time.Time
	CPU       *float64 `json:"cpu_pct"`
	Memory    *float64 `json:"memory_pct"`
	GPU       *float64 `json:"gpu_pct"`
	Note      string
	Baseline  *usageDoc
	Candidate *usageDoc
}

type compareDoc struct {
	Verdict string
	Notes   []string
	Steps   []struct {
		Utilization *usageDoc
	}
	Utilization *UtilizationSource
}

func render(t *testing.T, c *Comparison) (compareDoc, string, string) {
	t.Helper()
	var js, md, h bytes.Buffer
	if err := c.JSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc compareDoc
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if err := c.Markdown(&md, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.HTML(&h); err != nil {
		t.Fatal(err)
	}
	return doc, md.String(), h.String()
}

// String shows the usage with its figures dereferenced, for failure
// messages.
func (u *usageDoc) String() string {
	if u == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{%s–%s cpu %g memory %g gpu %g note %q}", u.From.Format(time.TimeOnly), u.To.Format(time.TimeOnly), val(u.CPU), val(u.Memory), val(u.GPU), u.Note)
}

// val dereferences p; -1 stands for nil.
func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// Utilization per step, normalised to the instance: v1 holds 80 × step of
// 400 (20 % × step), v2 120 × step (30 % × step), read over the whole
// minutes inside each step (never the straddling ones), in JSON, Markdown
// and HTML; the verdict does not change.
func TestAddUtilizationPerStep(t *testing.T) {
	cw, client := cwEnv(t)
	base, cand := twoReleases(cw)
	c := Compare([]*Run{base}, cand, Options{DifferentTargets: true, LatencyTolerance: 0.1, ThroughputTolerance: 0.05, ErrorTolerance: 0.01, Confidence: 0.95, Resamples: 500, Seed: 1, MinIntervals: 5, MinRequests: 500})
	verdict := c.Verdict()
	c.AddUtilization(context.Background(), client, base, cand, UtilizationOptions{Variant: "AllTraffic", InstanceType: "ml.c5.xlarge", VCPUs: 4})
	doc, md, h := render(t, c)
	if doc.Verdict != verdict || len(doc.Steps) != 3 {
		t.Fatalf("verdict %q, %d steps; want %q (unchanged), 3", doc.Verdict, len(doc.Steps), verdict)
	}
	for i, s := range doc.Steps {
		k := float64(i + 1)
		u := s.Utilization
		if u == nil || val(u.Baseline.CPU) != 20*k || val(u.Candidate.CPU) != 30*k || val(u.Baseline.Memory) != 40 || u.Baseline.GPU != nil || u.Baseline.Note+u.Candidate.Note != "" {
			t.Errorf("step %d utilization %v %v; want CPU %g%% vs %g%%, memory 40%%, no GPU, no note", i+1, u.Baseline, u.Candidate, 20*k, 30*k)
			continue
		}
		wantFrom := baseStart.Add(time.Duration(i)*2*time.Minute + 30*time.Second)
		if !u.Baseline.From.Equal(wantFrom) || u.Baseline.To.Sub(u.Baseline.From) != time.Minute || u.Candidate.To.Sub(u.Candidate.From) != 2*time.Minute {
			t.Errorf("step %d windows %v–%v and %v–%v; want the whole minutes inside the step", i+1, u.Baseline.From, u.Baseline.To, u.Candidate.From, u.Candidate.To)
		}
	}
	if src := doc.Utilization; src == nil || !src.Normalized || src.BaselineEndpoint != "churn-v1" || src.CandidateEndpoint != "churn-v2" {
		t.Errorf("utilization source %+v; want normalised, endpoints from the runs' targets", src)
	}
	for _, want := range []string{"Utilization of churn-v1/AllTraffic (candidate churn-v2/AllTraffic) from CloudWatch (informational, not part of the verdict; % of one ml.c5.xlarge instance",
		"| step | rate (req/s) | CPU baseline | CPU candidate | CPU change | memory baseline | memory candidate | memory change |",
		"| 2 | 40 | 40.0% | 60.0% | +20.0 pp | 40.0% | 40.0% | +0.0 pp |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(h, "<td>3</td><td>80</td><td>60.0%</td><td>90.0%</td><td>+30.0 pp</td>") {
		t.Errorf("html lacks step 3's utilization row:\n%s", h)
	}
}

// Without an instance type the raw sums are shown and said to be so; an
// endpoint given explicitly is read for both runs, and where it has no
// datapoints the step says so and the rest is still written.
func TestAddUtilizationRawAndMissing(t *testing.T) {
	cw, client := cwEnv(t)
	base, cand := twoReleases(cw)
	c := Compare([]*Run{base}, cand, DefaultOptions())
	c.AddUtilization(context.Background(), client, base, cand, UtilizationOptions{Endpoint: "churn-v2", Variant: "AllTraffic"})
	doc, md, _ := render(t, c)
	u := doc.Steps[0].Utilization
	if u.Baseline.CPU != nil || !strings.Contains(u.Baseline.Note, "CloudWatch has no CPUUtilization of churn-v2/AllTraffic from 2026-11-27T10:01:00Z to 2026-11-27T10:02:00Z") ||
		val(u.Candidate.CPU) != 120 || u.Candidate.Note != "" {
		t.Errorf("step 1: %v %v; want no baseline data (noted), candidate raw 120", u.Baseline, u.Candidate)
	}
	for _, want := range []string{"not normalised", "| 1 | 20 | no data | 120.0% | n/a |", "Note: utilization of step 1 (20 req/s), baseline: CloudWatch has no CPUUtilization"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if len(doc.Notes) != 3 {
		t.Errorf("notes %q; want one per baseline step", doc.Notes)
	}
}

// Steps shorter than two minutes hold no whole minute, and a target that
// is not a SageMaker endpoint names none: both are notes, no call is made.
func TestAddUtilizationCannotRead(t *testing.T) {
	cw, client := cwEnv(t)
	base := onEndpoint(synthetic(1, 1, plan3, 60, 5, 0), "churn-v1", baseStart)
	cand := synthetic(2, 1, plan3, 60, 5, 0)
	c := Compare([]*Run{base}, cand, DefaultOptions())
	c.AddUtilization(context.Background(), client, base, cand, UtilizationOptions{Variant: "AllTraffic"})
	doc, _, _ := render(t, c)
	u := doc.Steps[0].Utilization
	if !strings.Contains(u.Baseline.Note, "hold no whole minute") || !strings.Contains(u.Candidate.Note, `target "container http://127.0.0.1:8080" names no SageMaker endpoint; give --endpoint`) {
		t.Errorf("notes %q, %q; want no whole minute, no endpoint", u.Baseline.Note, u.Candidate.Note)
	}
	if n := len(cw.GetMetricDataCalls()); n != 0 {
		t.Errorf("%d GetMetricData calls; want none", n)
	}
}

// An API error is a note naming the window and the error code; the other
// windows are still read.
func TestAddUtilizationAPIError(t *testing.T) {
	cw, client := cwEnv(t)
	base, cand := twoReleases(cw)
	cw.InjectGetFault(func(n int, _ awstest.GetMetricDataCall) bool { return n == 1 }, awstest.CloudWatchServiceFault)
	c := Compare([]*Run{base}, cand, DefaultOptions())
	c.AddUtilization(context.Background(), client, base, cand, UtilizationOptions{Variant: "AllTraffic", InstanceType: "ml.c5.xlarge", VCPUs: 4})
	doc, md, _ := render(t, c)
	u := doc.Steps[0].Utilization
	if u.Baseline.CPU != nil || !strings.Contains(u.Baseline.Note, `read utilization from CloudWatch: measure: window 0 (churn-v1/AllTraffic test "t"`) ||
		!strings.Contains(u.Baseline.Note, "InternalServiceFault") || val(u.Candidate.CPU) != 30 || val(doc.Steps[2].Utilization.Baseline.CPU) != 60 {
		t.Errorf("step 1 %v %v, step 3 %v; want the fault noted, the rest read", u.Baseline, u.Candidate, doc.Steps[2].Utilization.Baseline)
	}
	if !strings.Contains(md, "InternalServiceFault") {
		t.Errorf("markdown lacks the fault:\n%s", md)
	}
}

// Every call is bounded: a CloudWatch that never answers costs each window
// its timeout and becomes a note.
func TestAddUtilizationTimeout(t *testing.T) {
	hang := awstest.NewHanging()
	t.Cleanup(hang.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDGATE", "secret", ""), RetryMaxAttempts: 1}
	client := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(hang.URL) })
	cw, _ := cwEnv(t)
	base, cand := twoReleases(cw)
	c := Compare([]*Run{base}, cand, DefaultOptions())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.AddUtilization(context.Background(), client, base, cand, UtilizationOptions{Variant: "AllTraffic", Timeout: 50 * time.Millisecond})
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("AddUtilization still waiting after a minute with a 50ms timeout per call")
	}
	if n := c.Steps[0].Utilization.Baseline.Note; !strings.Contains(n, "deadline exceeded") {
		t.Errorf("note %q; want the timeout", n)
	}
}

func ptr(f float64) *float64 { return &f }
