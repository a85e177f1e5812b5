package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// The template checks of issue 7: cfn-lint, cfn-guard with the Control
// Tower proactive rules, and the dashboard body and alarm metric validator,
// over every example's template, each with broken inputs that it must
// reject. What each proves is in the README, "What the template checks
// prove".

// installHint is what to install for the Python tools these tests run.
const installHint = "pip install moto[server] cfn-lint"

// needTool returns the path of the command name, or skips the test when it
// is missing, naming what to install; with CI=true it fails instead,
// because CI machines have every tool.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("%s is not on PATH", name))
	}
	return path
}

// missing skips (or on CI fails) a test whose tool is missing.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI machines must have it (%s)", what, installHint)
	}
	t.Skipf("%s: skipping; install it with %s", what, installHint)
}

// writeTemplates synthesizes every example and writes the template of
// each of its stacks to dir: the core stack's as <example>.template.json,
// the others' as <example>.<stack>.template.json. It returns the paths, the
// core ones by example name, the others by "<example>/<stack>".
func writeTemplates(t *testing.T, dir string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	for name := range examples {
		s := synth(t, name)
		p := filepath.Join(dir, name+".template.json")
		writeJSON(t, p, s.json)
		paths[name] = p
		for stack, tmpl := range s.others {
			p := filepath.Join(dir, name+"."+stack+".template.json")
			writeJSON(t, p, tmpl)
			paths[name+"/"+stack] = p
		}
	}
	return paths
}

// exampleOf is the example name of a writeTemplates key.
func exampleOf(key string) string {
	name, _, _ := strings.Cut(key, "/")
	return name
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cloneTemplate deep-copies a parsed template so that a test can break it.
func cloneTemplate(t *testing.T, tmpl map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstOfType returns the properties of the first resource (by logical id)
// of type typ in tmpl.
func firstOfType(t *testing.T, tmpl map[string]any, typ string) map[string]any {
	t.Helper()
	res := tmpl["Resources"].(map[string]any)
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := res[id].(map[string]any)
		if r["Type"] == typ {
			return r["Properties"].(map[string]any)
		}
	}
	t.Fatalf("template has no %s", typ)
	return nil
}

// cfnLintIgnored is the one list of cfn-lint findings the tests accept, by
// rule id, with the reason. The tests run cfn-lint with informational
// findings included; any finding of another rule fails them, warnings too.
var cfnLintIgnored = map[string]string{
	// The CDK renders strings built from tokens (a dashboard URL output, a
	// key policy's root principal) as
	// Fn::Join with an empty delimiter. CloudFormation resolves both forms
	// to the same string; the finding is about template style only.
	"I1022": "Fn::Join with an empty delimiter is how the CDK renders tokens; same value as Fn::Sub",
}

// cfnLintExemption accepts the findings of one cfn-lint rule on the
// resources for which applies holds, for the reason given.
type cfnLintExemption struct {
	rule   string
	reason string
	// message, when set, must be part of the finding's message: the
	// exemption then covers that one finding of the rule only.
	message string
	applies func(s *synthesized, logicalID string) bool
}

// cfnLintExempt returns the index in cfnLintExemptions of the exemption
// that covers finding m of s's templates, or -1.
func cfnLintExempt(s *synthesized, m cfnLintMatch) int {
	var id string
	if len(m.Location.Path) > 1 && m.Location.Path[0] == "Resources" {
		id, _ = m.Location.Path[1].(string)
	}
	return slices.IndexFunc(cfnLintExemptions(), func(e cfnLintExemption) bool {
		return e.rule == m.Rule.Id && id != "" && strings.Contains(m.Message, e.message) && e.applies(s, id)
	})
}

// cfnLintExemptions is the one list of cfn-lint findings the tests accept
// on exact resources rather than everywhere.
func cfnLintExemptions() []cfnLintExemption {
	return []cfnLintExemption{
		{
			rule:    "E3002",
			message: "'MetricsConfig' was unexpected",
			reason: "cfn-lint 1.51's resource schema of AWS::SageMaker::EndpointConfig predates MetricsConfig " +
				"(enhanced metrics), which CloudFormation and the pinned CDK (CfnEndpointConfig_MetricsConfigProperty) " +
				"accept; exempt only that property, only on the sizing endpoint's configuration",
			applies: func(s *synthesized, id string) bool {
				return s.cfg.Sizing != nil && typeIn(s, id) == "AWS::SageMaker::EndpointConfig"
			},
		},
		{
			rule: "W3005",
			reason: "the CDK's provider function of the custom resource that strips a created VPC's default " +
				"security group (restrictDefaultSecurityGroup) names its role in DependsOn and in a GetAtt; " +
				"the CDK writes it so and the redundancy is harmless; exempt only that function, in a " +
				"load-test VPC the stack creates",
			applies: func(s *synthesized, id string) bool {
				return createsLoadTestVpc(s) && typeIn(s, id) == "AWS::Lambda::Function" &&
					strings.HasPrefix(id, "CustomVpcRestrictDefaultSGCustomResourceProviderHandler")
			},
		},
	}
}

// createsLoadTestVpc reports whether s's load-test stack creates its VPC
// (no loadTest.vpcId).
func createsLoadTestVpc(s *synthesized) bool {
	return s.cfg.NeedsLoadTest() && s.cfg.LoadTest.VpcID == ""
}

// cfnLintMatch is one finding of cfn-lint --format json.
type cfnLintMatch struct {
	Filename string
	Level    string
	Message  string
	Rule     struct{ Id string }
	Location struct{ Path []any }
}

// runCfnLint lints files in one cfn-lint run (informational rules
// included) and returns its findings.
func runCfnLint(t *testing.T, files ...string) []cfnLintMatch {
	t.Helper()
	bin := needTool(t, "cfn-lint")
	args := append([]string{"--format", "json", "--include-checks", "I", "--"}, files...)
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("cfn-lint: %v", err)
	}
	// cfn-lint exits with a bit mask of the levels found (2 errors, 4
	// warnings, 8 informational); 1 means it could not lint at all.
	if exit != nil && exit.ExitCode()&1 != 0 {
		t.Fatalf("cfn-lint failed to run (exit %d):\n%s%s", exit.ExitCode(), stderr.String(), stdout.String())
	}
	var matches []cfnLintMatch
	if err := json.Unmarshal(stdout.Bytes(), &matches); err != nil {
		t.Fatalf("cfn-lint output is not JSON: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	return matches
}

// Every template the examples synthesize passes cfn-lint: no error, no
// warning, no informational finding except those in cfnLintIgnored.
func TestCfnLint_ExamplesAreClean(t *testing.T) {
	needTool(t, "cfn-lint")
	paths := writeTemplates(t, t.TempDir())
	var files []string
	byFile := map[string]string{}
	for name, p := range paths {
		files = append(files, p)
		byFile[p] = name
	}
	sort.Strings(files)
	ignoredSeen := map[string]int{}
	exemptions := cfnLintExemptions()
	used := make([]int, len(exemptions))
	for _, m := range runCfnLint(t, files...) {
		if _, ok := cfnLintIgnored[m.Rule.Id]; ok {
			ignoredSeen[m.Rule.Id]++
			continue
		}
		if i := cfnLintExempt(synth(t, exampleOf(byFile[m.Filename])), m); i >= 0 {
			used[i]++
			continue
		}
		t.Errorf("%s: %s %s at %v: %s", filepath.Base(m.Filename), m.Level, m.Rule.Id, m.Location.Path, m.Message)
	}
	for id := range cfnLintIgnored {
		t.Logf("ignored cfn-lint %s: %d findings (%s)", id, ignoredSeen[id], cfnLintIgnored[id])
	}
	for i, e := range exemptions {
		if used[i] == 0 {
			t.Errorf("cfn-lint exemption for %s matches nothing any more: remove it", e.rule)
		}
		t.Logf("exempt cfn-lint %s on %d resources: %s", e.rule, used[i], e.reason)
	}
}

// cfn-lint rejects templates broken the ways a user would find out at
// deploy time: each broken copy of an example must get the expected error.
func TestCfnLint_RejectsBrokenTemplates(t *testing.T) {
	needTool(t, "cfn-lint")
	tests := []struct {
		name    string
		example string
		breakIt func(t *testing.T, tmpl map[string]any)
		rule    string // the finding cfn-lint must report
	}{
		{"alarm with an unknown property", "minimal", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::CloudWatch::Alarm")["EvaluationPeriod"] = 5
		}, "E3002"},
		{"alarm with a misspelled comparison operator", "minimal", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::CloudWatch::Alarm")["ComparisonOperator"] = "GreaterThanThreshhold"
		}, "E3030"},
		{"alarm with both Statistic and ExtendedStatistic", "minimal", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::CloudWatch::Alarm")["Statistic"] = "Average"
		}, "E3020"},
		{"alarm with a misspelled TreatMissingData", "minimal", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::CloudWatch::Alarm")["TreatMissingData"] = "notbreaching"
		}, "E3030"},
		{"notebook with a volume below SageMaker's minimum", "notebooks", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::SageMaker::NotebookInstance")["VolumeSizeInGB"] = 0
		}, "E3034"},
		{"metrics policy with a misspelled IAM action", "notebooks", func(t *testing.T, tmpl map[string]any) {
			doc := firstOfType(t, tmpl, "AWS::IAM::ManagedPolicy")["PolicyDocument"].(map[string]any)
			doc["Statement"].([]any)[0].(map[string]any)["Action"] = "cloudwatch:PutMetricDta"
		}, "W3037"}, // a warning: the clean test fails on any warning
		{"reference to a missing resource", "sagesize", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::SNS::Topic")["KmsMasterKeyId"] = map[string]any{"Fn::GetAtt": []any{"NoSuchKey", "Arn"}}
		}, "E1010"},
	}
	dir := t.TempDir()
	files := map[string]string{}
	var all []string
	for i, tc := range tests {
		tmpl := cloneTemplate(t, synth(t, tc.example).json)
		tc.breakIt(t, tmpl)
		p := filepath.Join(dir, fmt.Sprintf("broken%d.template.json", i))
		writeJSON(t, p, tmpl)
		files[tc.name] = p
		all = append(all, p)
	}
	byFile := map[string][]cfnLintMatch{}
	for _, m := range runCfnLint(t, all...) {
		byFile[m.Filename] = append(byFile[m.Filename], m)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range byFile[files[tc.name]] {
				if m.Rule.Id == tc.rule {
					return
				}
				got = append(got, m.Level+" "+m.Rule.Id+": "+m.Message)
			}
			t.Errorf("cfn-lint did not report %s; it reported %d findings:\n%s", tc.rule, len(got), strings.Join(got, "\n"))
		})
	}
}

// cfnGuard returns the path of the cfn-guard binary and the Control Tower
// rules shipped in the pinned npm package @cdklabs/cdk-validator-cfnguard.
func cfnGuard(t *testing.T) (bin, rules string) {
	t.Helper()
	pkg, err := filepath.Abs("../node_modules/@cdklabs/cdk-validator-cfnguard")
	if err != nil {
		t.Fatal(err)
	}
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	archDir := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	bin = filepath.Join(pkg, "bin", osDir, archDir, "cfn-guard")
	rules = filepath.Join(pkg, "rules", "control-tower", "cfn-guard")
	for _, p := range []string{bin, rules} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%v: the npm package @cdklabs/cdk-validator-cfnguard is pinned in package.json; run make setup", err)
		}
	}
	return bin, rules
}

// guardFailure is one rule that one resource of one template fails.
type guardFailure struct {
	file, rule, resource string
}

var guardResource = regexp.MustCompile(`^/Resources/([^/]+)`)

// runCfnGuard validates files against the Control Tower rules and returns
// each (file, rule, resource) that fails.
func runCfnGuard(t *testing.T, files ...string) []guardFailure {
	t.Helper()
	bin, rules := cfnGuard(t)
	args := []string{"validate", "--rules", rules, "--structured", "--output-format", "json", "--show-summary", "none"}
	for _, f := range files {
		args = append(args, "--data", f)
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	// 19 means some rule failed; anything else non-zero is a usage error.
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19) {
		t.Fatalf("cfn-guard: %v\n%s", err, stderr.String())
	}
	var reports []struct {
		Name         string
		Status       string
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &reports); err != nil {
		t.Fatalf("cfn-guard output is not JSON: %v\n%.2000s", err, stdout.String())
	}
	if len(reports) != len(files) {
		t.Fatalf("cfn-guard reported on %d files, want %d", len(reports), len(files))
	}
	var out []guardFailure
	for _, r := range reports {
		for _, nc := range r.NotCompliant {
			var rule struct {
				Rule struct {
					Name string
				}
			}
			if err := json.Unmarshal(nc, &rule); err != nil {
				t.Fatalf("cfn-guard: %v", err)
			}
			var doc any
			if err := json.Unmarshal(nc, &doc); err != nil {
				t.Fatal(err)
			}
			resources := map[string]bool{}
			collectResourcePaths(doc, resources)
			if len(resources) == 0 {
				out = append(out, guardFailure{r.Name, rule.Rule.Name, ""})
			}
			for res := range resources {
				out = append(out, guardFailure{r.Name, rule.Rule.Name, res})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i]) < fmt.Sprint(out[j])
	})
	return out
}

// collectResourcePaths finds the logical ids in every "path" value of a
// cfn-guard report.
func collectResourcePaths(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "path" {
				if m := guardResource.FindStringSubmatch(s); m != nil {
					into[m[1]] = true
				}
			}
			collectResourcePaths(x, into)
		}
	case []any:
		for _, x := range v {
			collectResourcePaths(x, into)
		}
	}
}

// guardExemption accepts a Control Tower rule's failure on the resources
// for which applies holds, for the reason given.
type guardExemption struct {
	rule    string
	reason  string
	applies func(s *synthesized, logicalID string) bool
}

// guardExemptions is the one list of Control Tower rule failures the tests
// accept, each with its reason and the exact resources it covers.
func guardExemptions() []guardExemption {
	return []guardExemption{
		{
			rule: "ecs_container_insights_enabled_check", // CT.ECS.PR.1
			reason: "Container Insights is opt-in (loadTest.containerInsights): load-test tasks are " +
				"short-lived and loadgen publishes its own client metrics; exempt only clusters of a config that leaves it off",
			applies: func(s *synthesized, id string) bool {
				return s.cfg.LoadTest != nil && !s.cfg.LoadTest.ContainerInsights && strings.HasPrefix(id, "LoadTestCluster")
			},
		},
		{
			rule: "cloudwatch_log_group_retention_period_check", // CT.CLOUDWATCH.PR.2
			reason: "load-test logs (loadgen's JSON lines) are kept loadTest.logRetentionDays, 30 by default, " +
				"not the rule's year: set 365 or more to satisfy it; exempt only load-test log groups below a year",
			applies: func(s *synthesized, id string) bool {
				return s.cfg.LoadTest != nil && s.cfg.LoadTest.LogRetentionDays < 365 && strings.HasPrefix(id, "LoadTest")
			},
		},
		{
			rule: "cloudwatch_alarm_action_check", // CT.CLOUDWATCH.PR.1
			reason: "critical threshold alarms notify through their segment's composite alarm " +
				"(AnyCritical), so that one incident pages once; exempt only alarms without actions " +
				"that a composite alarm with AlarmActions watches",
			applies: func(s *synthesized, id string) bool { return watchedByNotifyingComposite(s.json, id) },
		},
		{
			rule: "cloudwatch_alarm_action_check", // CT.CLOUDWATCH.PR.1
			reason: "with notifications.warnings: false the user chose to keep warning alarms off " +
				"the topic (they stay on the dashboard's alarm widget); exempt only warning alarms " +
				"without actions in such a config",
			applies: func(s *synthesized, id string) bool {
				if s.cfg.Notifications.NotifyWarnings() || resourceType(s.json, id) != "AWS::CloudWatch::Alarm" {
					return false
				}
				p := s.json["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
				name, _ := p["AlarmName"].(string)
				_, hasActions := p["AlarmActions"]
				return strings.HasSuffix(name, "-Warning") && !hasActions
			},
		},
		{
			rule: "cloudwatch_alarm_action_check", // CT.CLOUDWATCH.PR.1
			reason: "a sizing test breaks its endpoint's SLO on purpose, so the sizing endpoint's alarms " +
				"show on its dashboard but notify no one; exempt only alarms without actions on the " +
				"endpoint that config sizing: creates",
			applies: func(s *synthesized, id string) bool {
				e := s.cfg.SizingEndpoint()
				if e == nil {
					return false
				}
				if typeIn(s, id) != "AWS::CloudWatch::Alarm" {
					return false
				}
				p := resourceIn(s, id)["Properties"].(map[string]any)
				_, hasActions := p["AlarmActions"]
				return !hasActions && alarmEndpoint(p) == e.Name
			},
		},
		{
			rule: "subnet_auto_assign_public_ip_disabled_check", // CT.EC2.PR.11
			reason: "a load-test VPC the stack creates has public subnets only (no NAT gateway to pay " +
				"for), so its tasks get public IPs to reach the AWS APIs; their security group admits " +
				"nothing inbound; exempt only the subnets of such a VPC (name one with loadTest.vpcId to avoid it)",
			applies: func(s *synthesized, id string) bool {
				return createsLoadTestVpc(s) && typeIn(s, id) == "AWS::EC2::Subnet" &&
					strings.HasPrefix(id, "LoadTestVpc")
			},
		},
		{
			rule: "lambda_inside_vpc_check", // CT.LAMBDA.PR.3
			reason: "the CDK's provider function of the custom resource that strips a created VPC's " +
				"default security group runs at deploy time and calls only the EC2 API; inside that " +
				"VPC it would need the NAT gateway or endpoints the stack avoids; exempt only that " +
				"function, in a load-test VPC the stack creates",
			applies: func(s *synthesized, id string) bool {
				return createsLoadTestVpc(s) && typeIn(s, id) == "AWS::Lambda::Function" &&
					strings.HasPrefix(id, "CustomVpcRestrictDefaultSGCustomResourceProviderHandler")
			},
		},
	}
}

// resourceIn returns the resource id of any of s's templates, or nil.
func resourceIn(s *synthesized, id string) map[string]any {
	for _, tmpl := range append([]map[string]any{s.json}, values(s.others)...) {
		if r, ok := tmpl["Resources"].(map[string]any)[id].(map[string]any); ok {
			return r
		}
	}
	return nil
}

// typeIn is the type of resource id in any of s's templates, or "".
func typeIn(s *synthesized, id string) string {
	typ, _ := resourceIn(s, id)["Type"].(string)
	return typ
}

// alarmEndpoint is the EndpointName dimension of an alarm's metric (or of
// its metric math inputs), or "".
func alarmEndpoint(props map[string]any) string {
	dims := anySlice(props["Dimensions"])
	for _, q := range anySlice(props["Metrics"]) {
		if ms, ok := q.(map[string]any)["MetricStat"].(map[string]any); ok {
			dims = append(dims, anySlice(ms["Metric"].(map[string]any)["Dimensions"])...)
		}
	}
	for _, d := range dims {
		if d := d.(map[string]any); d["Name"] == "EndpointName" {
			name, _ := d["Value"].(string)
			return name
		}
	}
	return ""
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func resourceType(tmpl map[string]any, id string) string {
	r, _ := tmpl["Resources"].(map[string]any)[id].(map[string]any)
	typ, _ := r["Type"].(string)
	return typ
}

// watchedByNotifyingComposite reports whether id is an alarm without
// AlarmActions that the AlarmRule of a composite alarm with AlarmActions
// names (ALARM("name")), and that composite depends on it.
func watchedByNotifyingComposite(tmpl map[string]any, id string) bool {
	res := tmpl["Resources"].(map[string]any)
	r, _ := res[id].(map[string]any)
	if r["Type"] != "AWS::CloudWatch::Alarm" {
		return false
	}
	props := r["Properties"].(map[string]any)
	if acts, ok := props["AlarmActions"].([]any); ok && len(acts) > 0 {
		return false
	}
	term := fmt.Sprintf("ALARM(%q)", props["AlarmName"])
	for _, c := range res {
		c := c.(map[string]any)
		if c["Type"] != "AWS::CloudWatch::CompositeAlarm" {
			continue
		}
		p := c["Properties"].(map[string]any)
		if acts, ok := p["AlarmActions"].([]any); !ok || len(acts) == 0 {
			continue
		}
		rule, _ := p["AlarmRule"].(string)
		deps, _ := json.Marshal(c["DependsOn"])
		if strings.Contains(rule, term) && bytes.Contains(deps, []byte(`"`+id+`"`)) {
			return true
		}
	}
	return false
}

// Every example template passes the Control Tower proactive rules, but for
// the failures guardExemptions lists; an exemption that no longer matches
// anything fails too, so that the list stays true.
func TestCfnGuard_ControlTowerRules(t *testing.T) {
	paths := writeTemplates(t, t.TempDir())
	byFile := map[string]string{}
	var files []string
	for name, p := range paths {
		byFile[p] = name
		files = append(files, p)
	}
	sort.Strings(files)
	exemptions := guardExemptions()
	used := make([]int, len(exemptions))
	for _, f := range runCfnGuard(t, files...) {
		name := byFile[f.file]
		s := synth(t, exampleOf(name))
		i := slices.IndexFunc(exemptions, func(e guardExemption) bool {
			return e.rule == f.rule && f.resource != "" && e.applies(s, f.resource)
		})
		if i < 0 {
			t.Errorf("%s: %s fails Control Tower rule %s", name, f.resource, f.rule)
			continue
		}
		used[i]++
	}
	for i, e := range exemptions {
		if used[i] == 0 {
			t.Errorf("exemption for %s matches nothing any more: remove it", e.rule)
		}
		t.Logf("exempt %s on %d resources: %s", e.rule, used[i], e.reason)
	}
}

// cfn-guard with the Control Tower rules rejects a template broken the way
// the rules are meant to catch.
func TestCfnGuard_RejectsBrokenTemplates(t *testing.T) {
	tests := []struct {
		name    string
		example string
		breakIt func(t *testing.T, tmpl map[string]any)
		rule    string
	}{
		{"notebook with root access", "notebooks", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::SageMaker::NotebookInstance")["RootAccess"] = "Enabled"
		}, "sagemaker_notebook_instance_root_access_check"},
		{"notebook with direct internet access", "notebooks", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::SageMaker::NotebookInstance")["DirectInternetAccess"] = "Enabled"
		}, "sagemaker_notebook_no_direct_internet_access_check"},
		{"key without rotation", "sagesize", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::KMS::Key")["EnableKeyRotation"] = false
		}, "kms_key_rotation_enabled_check"},
	}
	dir := t.TempDir()
	files := map[string]string{}
	var all []string
	for i, tc := range tests {
		tmpl := cloneTemplate(t, synth(t, tc.example).json)
		tc.breakIt(t, tmpl)
		p := filepath.Join(dir, fmt.Sprintf("broken%d.template.json", i))
		writeJSON(t, p, tmpl)
		files[tc.name] = p
		all = append(all, p)
	}
	failures := runCfnGuard(t, all...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range failures {
				if f.file != files[tc.name] {
					continue
				}
				if f.rule == tc.rule {
					return
				}
				got = append(got, f.rule+" on "+f.resource)
			}
			t.Errorf("cfn-guard did not fail rule %s; it failed: %v", tc.rule, got)
		})
	}
}

// Every dashboard body and alarm of every example passes the dashboard
// validator: intrinsics resolved, grid, widget properties, metric arrays,
// math ids, limits, and every metric one that SageMaker or the notebook
// agent actually publishes.
func TestDashboards_ValidateEveryExample(t *testing.T) {
	cat, err := dashcheck.DefaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for name := range examples {
		t.Run(name, func(t *testing.T) {
			s := synth(t, name)
			for stack, tmpl := range s.others {
				if _, err := dashcheck.CheckTemplate(tmpl, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: cat}); err != nil {
					t.Errorf("stack %s: %v", stack, err)
				}
			}
			rep, err := dashcheck.CheckTemplate(s.json, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: cat})
			if err != nil {
				t.Errorf("%v", err)
			}
			if want := len(s.resources("AWS::CloudWatch::Dashboard")); len(rep.Dashboards) != want || want == 0 || rep.Metrics == 0 {
				t.Errorf("checked %d dashboards with %d metrics; the template has %d dashboards", len(rep.Dashboards), rep.Metrics, want)
			}
			if want := len(s.resources("AWS::CloudWatch::Alarm")); rep.Alarms != want {
				t.Errorf("checked %d alarms; the template has %d", rep.Alarms, want)
			}
			t.Logf("%d dashboards (%d metric lines), %d alarms", len(rep.Dashboards), rep.Metrics, rep.Alarms)
		})
	}
}

// The validator rejects templates broken in the ways the issue names: a
// widget 30 columns wide, an alarm on a misspelled metric, a SageMaker
// metric with a wrong dimension set, an expression on a missing id.
func TestDashboards_RejectBrokenTemplates(t *testing.T) {
	cat, err := dashcheck.DefaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	// editBody rewrites the first dashboard's body through f.
	editBody := func(t *testing.T, tmpl map[string]any, f func(body map[string]any)) {
		t.Helper()
		p := firstOfType(t, tmpl, "AWS::CloudWatch::Dashboard")
		sub, _ := subTemplate(p["DashboardBody"])
		var body map[string]any
		if err := json.Unmarshal([]byte(sub), &body); err != nil {
			t.Fatal(err)
		}
		f(body)
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		setSubTemplate(p, "DashboardBody", string(b))
	}
	// graph returns the first metric widget's properties.
	graph := func(body map[string]any) map[string]any {
		for _, w := range body["widgets"].([]any) {
			if w := w.(map[string]any); w["type"] == "metric" {
				return w["properties"].(map[string]any)
			}
		}
		return nil
	}
	tests := []struct {
		name    string
		breakIt func(t *testing.T, tmpl map[string]any)
		want    string
	}{
		{"widget 30 columns wide", func(t *testing.T, tmpl map[string]any) {
			editBody(t, tmpl, func(b map[string]any) { b["widgets"].([]any)[0].(map[string]any)["width"] = 30 })
		}, "width is 30; it must be 1–24"},
		{"alarm on a misspelled metric", func(t *testing.T, tmpl map[string]any) {
			firstOfType(t, tmpl, "AWS::CloudWatch::Alarm")["MetricName"] = "ModelLatancy"
		}, `AWS/SageMaker publishes no metric "ModelLatancy" (did you mean ModelLatency`},
		{"graph of a SageMaker metric with a wrong dimension set", func(t *testing.T, tmpl map[string]any) {
			editBody(t, tmpl, func(b map[string]any) {
				g := graph(b)
				g["metrics"] = append(g["metrics"].([]any), []any{"/aws/sagemaker/Endpoints", "CPUUtilization", "EndpointName", "fraud-detector"})
			})
		}, "/aws/sagemaker/Endpoints CPUUtilization is not published with dimensions {EndpointName}"},
		{"expression referencing a missing id", func(t *testing.T, tmpl map[string]any) {
			editBody(t, tmpl, func(b map[string]any) {
				g := graph(b)
				g["metrics"] = append(g["metrics"].([]any), []any{map[string]any{"expression": "missing_id * 2", "id": "broken"}})
			})
		}, `refers to id "missing_id", which no line of the widget has`},
		{"body referring to a resource", func(t *testing.T, tmpl map[string]any) {
			p := firstOfType(t, tmpl, "AWS::CloudWatch::Dashboard")
			sub, _ := subTemplate(p["DashboardBody"])
			setSubTemplate(p, "DashboardBody", strings.Replace(sub, "${AWS::Region}", "${AlarmTopic}", 1))
		}, "${AlarmTopic} refers to a resource or parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := cloneTemplate(t, synth(t, "minimal").json)
			tc.breakIt(t, tmpl)
			_, err := dashcheck.CheckTemplate(tmpl, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: cat})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}
