package cdkout

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestReadAndPrint(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts": {
		"Tree": {"type": "cdk:tree"},
		"s1": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "s1.template.json", "stackName": "demo-monitoring"}}}}`)
	write(t, dir, "s1.template.json", `{"Resources": {
		"D": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardName": "demo-ep"}},
		"A2": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "demo-ep-v-CPU-Warning"}},
		"A1": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "demo-ep-v-CPU-Critical"}},
		"C": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmName": "demo-ep-AnyCritical"}},
		"T": {"Type": "AWS::SNS::Topic", "Properties": {}}},
		"Outputs": {"TopicArn": {}, "DashboardEp": {}}}`)
	stacks, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 1 {
		t.Fatalf("Read found %d stacks; want 1", len(stacks))
	}
	s := stacks[0]
	if s.Name != "demo-monitoring" || s.Resources["AWS::CloudWatch::Alarm"] != 2 || len(s.Composites) != 1 {
		t.Errorf("stack = %+v; want demo-monitoring with 2 alarms and 1 composite", s)
	}
	if got := strings.Join(s.Alarms, ","); got != "demo-ep-v-CPU-Critical,demo-ep-v-CPU-Warning" {
		t.Errorf("alarms = %s; want them sorted", got)
	}
	var b strings.Builder
	if err := Print(&b, stacks); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"stack demo-monitoring\n",
		"(5 resources,",
		"  dashboards: 1\n    demo-ep\n",
		"  alarms:     2 (+1 composite)\n    demo-ep-AnyCritical (composite)\n",
		"  outputs:    DashboardEp, TopicArn\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Print output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestRead_Errors(t *testing.T) {
	if _, err := Read(t.TempDir()); err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Errorf("Read(empty dir) = %v; want an error naming manifest.json", err)
	}
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts": {}}`)
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "holds no CloudFormation stack") {
		t.Errorf("Read(no stacks) = %v; want 'holds no CloudFormation stack'", err)
	}
}

// TestPrintAlignsLongTypes checks that the resource counts stand in one
// column after the longest type, however long the type and the logical ids.
func TestPrintAlignsLongTypes(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts": {
		"s1": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "s1.template.json", "stackName": "demo-notebooks"}}}}`)
	write(t, dir, "s1.template.json", `{"Resources": {
		"NotebookResearchTeamDataScienceLifecycleConfigurationOnStartScript0123ABCD": {"Type": "AWS::SageMaker::NotebookInstanceLifecycleConfig", "Properties": {}},
		"MonitoringEndpointChurnXgbProductionVariantAllTrafficAnyCriticalCompositeAlarm4567EF": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmName": "demo-any-critical"}},
		"M2": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmName": "demo-any-critical-2"}},
		"T": {"Type": "AWS::SNS::Topic", "Properties": {}}}}`)
	stacks, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Print(&b, stacks); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // type: count
		"AWS::CloudWatch::CompositeAlarm":                 "2",
		"AWS::SNS::Topic":                                 "1",
		"AWS::SageMaker::NotebookInstanceLifecycleConfig": "1",
	}
	const longest = len("AWS::SageMaker::NotebookInstanceLifecycleConfig")
	col := -1
	for _, line := range strings.Split(b.String(), "\n") {
		if !strings.HasPrefix(line, "    AWS::") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || want[fields[0]] != fields[1] {
			t.Errorf("resource line %q; want a type of %v and its count", line, want)
			continue
		}
		delete(want, fields[0])
		at := strings.LastIndex(line, " ") + 1
		if col == -1 {
			col = at
		}
		if at != col || at <= len("    ")+longest {
			t.Errorf("count of %s at column %d; want every count at one column after the longest type (%d):\n%s", fields[0], at, len("    ")+longest, b.String())
		}
	}
	if len(want) > 0 {
		t.Errorf("Print lists no line for %v:\n%s", want, b.String())
	}
}
