package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/internal/cdkout"
	"github.com/sagesize/sagesize/naming"
	"github.com/sagesize/sagesize/shard"
	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// Configs built to sit exactly at the limits of what a config may say.
var limitConfigs = map[string]string{
	// widest: 32-character project and release, an endpoint of 63
	// characters with ten GPU variants of 63 characters each and both
	// thresholds on every alarm family, three times (composite rules of ~21,000
	// characters, 181 alarms on each dashboard, about 450 KB of template
	// each, so that no two fit one stack),
	// beside a small endpoint, so that the fleet overview exists too.
	"widest": func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "project: %s\nrelease: %s\nendpoints:\n", "p"+strings.Repeat("x", 31), strings.Repeat("r", 32))
		for e := range 3 {
			fmt.Fprintf(&b, "  - name: %s%d\n    slo: {latency: 1s}\n    variants:\n", strings.Repeat("e", 62), e)
			for v := range 10 {
				fmt.Fprintf(&b, "      - {name: %s%d, instanceType: ml.g5.xlarge}\n", strings.Repeat("v", 62), v)
			}
			b.WriteString("    alarms:\n      modelLatency: {warning: 800ms, critical: 1s}\n      overheadLatency: {warning: 20ms, critical: 50ms}\n")
			for _, f := range []string{"invocation5xxErrorRate", "modelErrorRate", "cpuUtilization", "gpuUtilization", "gpuMemoryUtilization", "memoryUtilization", "diskUtilization"} {
				fmt.Fprintf(&b, "      %s: {warning: 50%%, critical: 90%%}\n", f)
			}
		}
		b.WriteString("  - {name: small, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n")
		return b.String()
	}(),
	// serverless: the widest serverless endpoint, ten variants of 63
	// characters with provisioned concurrency and every alarm family a
	// serverless endpoint may have, beside a real-time one (an overview
	// that mixes kinds).
	"serverless": func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "project: s%s\nendpoints:\n  - name: %s\n    kind: serverless\n    slo: {latency: 1s}\n    variants:\n", strings.Repeat("x", 31), strings.Repeat("e", 63))
		for v := range 10 {
			fmt.Fprintf(&b, "      - {name: %s%d, serverless: {memorySizeInMB: 6144, maxConcurrency: 200, provisionedConcurrency: 200}}\n", strings.Repeat("v", 62), v)
		}
		b.WriteString("    alarms:\n      modelLatency: {warning: 800ms, critical: 1s}\n      overheadLatency: {warning: 20ms, critical: 50ms}\n" +
			"      invocation5xxErrorRate: {warning: 50%, critical: 90%}\n      memoryUtilization: {warning: 50%, critical: 90%}\n")
		b.WriteString("  - {name: small, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n")
		return b.String()
	}(),
	// async: the widest asynchronous endpoint, ten GPU variants of 63
	// characters with every alarm family an asynchronous endpoint may have.
	"async": func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "project: a%s\nendpoints:\n  - name: %s\n    kind: async\n    slo: {latency: 1s}\n    variants:\n", strings.Repeat("x", 31), strings.Repeat("e", 63))
		for v := range 10 {
			fmt.Fprintf(&b, "      - {name: %s%d, instanceType: ml.g5.xlarge}\n", strings.Repeat("v", 62), v)
		}
		b.WriteString("    alarms:\n      modelLatency: {warning: 800ms, critical: 1s}\n      oldestRequestAge: {warning: 5m, critical: 15m}\n      invocationFailures: {warning: 1, critical: 10}\n")
		for _, f := range []string{"invocation5xxErrorRate", "cpuUtilization", "gpuUtilization", "gpuMemoryUtilization", "memoryUtilization", "diskUtilization"} {
			fmt.Fprintf(&b, "      %s: {warning: 50%%, critical: 90%%}\n", f)
		}
		return b.String()
	}(),
	// multimodel: the widest multi-model endpoint, ten GPU variants of 63
	// characters with every alarm family, the multi-model ones included.
	"multimodel": func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "project: m%s\nendpoints:\n  - name: %s\n    kind: multiModel\n    slo: {latency: 1s}\n    variants:\n", strings.Repeat("x", 31), strings.Repeat("e", 63))
		for v := range 10 {
			fmt.Fprintf(&b, "      - {name: %s%d, instanceType: ml.g5.xlarge}\n", strings.Repeat("v", 62), v)
		}
		b.WriteString("    alarms:\n      modelLatency: {warning: 800ms, critical: 1s}\n      overheadLatency: {warning: 20ms, critical: 50ms}\n" +
			"      modelLoadingWaitTime: {warning: 2s, critical: 10s}\n      modelCacheHitRatio: {warning: 90%, critical: 70%}\n")
		for _, f := range []string{"invocation5xxErrorRate", "modelErrorRate", "cpuUtilization", "gpuUtilization", "gpuMemoryUtilization", "memoryUtilization", "diskUtilization"} {
			fmt.Fprintf(&b, "      %s: {warning: 50%%, critical: 90%%}\n", f)
		}
		return b.String()
	}(),
	// components: an endpoint of 63 characters hosting twenty inference
	// components of 63 characters with every alarm family they may have,
	// beside a real-time endpoint (an overview that mixes kinds).
	"components": func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "project: c%s\nendpoints:\n  - name: %s\n    kind: inferenceComponents\n    slo: {latency: 1s}\n    variants: [{instanceType: ml.g5.48xlarge}]\n    inferenceComponents:\n", strings.Repeat("x", 31), strings.Repeat("e", 63))
		for c := range 20 {
			fmt.Fprintf(&b, "      - {name: %s%02d, copies: 2, accelerators: 1}\n", strings.Repeat("c", 61), c)
		}
		b.WriteString("    alarms:\n      modelLatency: {warning: 800ms, critical: 1s}\n      overheadLatency: {warning: 20ms, critical: 50ms}\n")
		for _, f := range []string{"invocation5xxErrorRate", "modelErrorRate", "cpuUtilization", "gpuUtilization", "gpuMemoryUtilization", "memoryUtilization"} {
			fmt.Fprintf(&b, "      %s: {warning: 50%%, critical: 90%%}\n", f)
		}
		b.WriteString("  - {name: small, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n")
		return b.String()
	}(),
	// notebooks: the longest lifecycle configuration name (63 characters)
	// on a GPU notebook with every alarm.
	"notebooks": "project: n" + strings.Repeat("b", 31) + "\nnotebooks:\n  - name: " + strings.Repeat("g", 30) +
		"\n    instanceType: ml.g4dn.xlarge\n    alarms:\n" +
		"      cpuUtilization: {warning: 50%, critical: 90%}\n      memoryUtilization: {warning: 50%, critical: 90%}\n" +
		"      diskUtilization: {warning: 50%, critical: 90%}\n      gpuUtilization: {warning: 50%, critical: 90%}\n" +
		"      gpuMemoryUtilization: {warning: 50%, critical: 90%}\n",
	// risk: endpoint and notebook names that differ only by a hyphen,
	// which CDK would strip to one output id.
	"risk": "project: risk\nendpoints:\n" +
		"  - {name: risk-model-v2, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n" +
		"  - {name: riskmodel-v2, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n" +
		"  - {name: churn, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n" +
		"notebooks:\n  - {name: risk-nb, instanceType: ml.t3.medium}\n  - {name: risknb, instanceType: ml.t3.medium}\n",
}

// One synthesis of every limit config, in one app: every stack stays
// within CloudFormation's limits, every dashboard and alarm passes the
// dashboard validator, every composite rule fits, and the names in the
// templates are exactly those config validation checked.
func TestLimits_ConfigsAtEveryLimitSynthesizeValidTemplates(t *testing.T) {
	out := t.TempDir()
	a := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false), Outdir: jsii.String(out)})
	derived := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(limitConfigs)) {
		path := filepath.Join(t.TempDir(), name+".yaml")
		if err := os.WriteFile(path, []byte(limitConfigs[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, d := range cfg.DerivedNames() {
			derived[d.Kind.What+" "+d.Name] = true
		}
		if _, err := app.New(a, cfg, &app.Options{LoadgenImage: awsecs.ContainerImage_FromRegistry(jsii.String("sagesize/loadgen:test"), nil)}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	a.Synth(nil)
	read, err := cdkout.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := dashcheck.DefaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	// The overview's alarm widgets list the composites of every endpoint
	// stack: an alarm is known if any stack of the app creates it.
	alarms := map[string]bool{}
	for _, st := range read {
		for _, r := range readTemplate(t, st.Template)["Resources"].(map[string]any) {
			p, _ := r.(map[string]any)["Properties"].(map[string]any)
			if name, ok := p["AlarmName"].(string); ok {
				alarms[name] = true
			}
		}
	}
	made := map[string]bool{}
	outputs := map[string][]string{}
	for _, st := range read {
		total := 0
		for _, n := range st.Resources {
			total += n
		}
		if total > shard.MaxResources || st.Bytes > shard.MaxTemplateBytes || len(st.Outputs) > shard.MaxOutputs {
			t.Errorf("stack %s: %d resources, %d bytes, %d outputs; CloudFormation allows %d, %d, %d",
				st.Name, total, st.Bytes, len(st.Outputs), shard.MaxResources, shard.MaxTemplateBytes, shard.MaxOutputs)
		}
		outputs[st.Name] = st.Outputs
		tmpl := readTemplate(t, st.Template)
		if _, err := dashcheck.CheckTemplate(tmpl, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: cat, Alarms: alarms}); err != nil {
			t.Errorf("stack %s:\n%v", st.Name, err)
		}
		for _, r := range tmpl["Resources"].(map[string]any) {
			r := r.(map[string]any)
			p, _ := r["Properties"].(map[string]any)
			switch r["Type"] {
			case "AWS::CloudWatch::CompositeAlarm":
				if n := len(p["AlarmRule"].(string)); n > naming.MaxCompositeRule {
					t.Errorf("composite %s: rule of %d characters", p["AlarmName"], n)
				}
				made[naming.AlarmKind.What+" "+p["AlarmName"].(string)] = true
			case "AWS::CloudWatch::Alarm":
				made[naming.AlarmKind.What+" "+p["AlarmName"].(string)] = true
			case "AWS::CloudWatch::Dashboard":
				made[naming.DashboardKind.What+" "+p["DashboardName"].(string)] = true
			case "AWS::SageMaker::NotebookInstanceLifecycleConfig":
				made[naming.LifecycleConfigKind.What+" "+p["NotebookInstanceLifecycleConfigName"].(string)] = true
			}
		}
	}
	if missing, extra := diff(derived, made); len(missing)+len(extra) > 0 {
		t.Errorf("config validation checked names the app does not create: %v\nthe app creates names config validation did not check: %v", clipList(missing), clipList(extra))
	}
	if len(made) < 180+4+1 {
		t.Errorf("only %d names were created; each widest endpoint alone makes 185", len(made))
	}
	// Output ids: the two that collide once hyphens are stripped get
	// distinct suffixes; the third keeps its id.
	risk := outputs["risk-monitoring"]
	sort.Strings(risk)
	var dash, lcc []string
	for _, o := range risk {
		if strings.HasPrefix(o, "Dashboardrisk") {
			dash = append(dash, o)
		}
		if strings.HasPrefix(o, "LifecycleConfig") {
			lcc = append(lcc, o)
		}
	}
	if !slices.Contains(risk, "Dashboardchurn") || len(dash) != 4 || len(lcc) != 2 || len(risk) != 10 {
		t.Errorf("risk-monitoring outputs = %v; want Dashboardchurn, the topic, the policy, Overview1 and distinct ids for risk-model-v2, riskmodel-v2, risk-nb and risknb", risk)
	}
	for _, o := range append(dash, lcc...) {
		if !regexp.MustCompile(`^(Dashboardriskmodelv2|Dashboardrisknb|LifecycleConfigrisknb)[0-9a-f]{8}$`).MatchString(o) {
			t.Errorf("output id %q is not the colliding id with an 8-digit hash", o)
		}
	}
}

func readTemplate(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// diff is what want has and got lacks, and the reverse, sorted.
func diff(want, got map[string]bool) (missing, extra []string) {
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}

// clipList shows at most five items.
func clipList(s []string) []string {
	if len(s) > 5 {
		return append(s[:5:5], fmt.Sprintf("and %d more", len(s)-5))
	}
	return s
}
