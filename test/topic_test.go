package test

import (
	"encoding/json"
	"path"
	"strings"
	"testing"
)

// topicArnPatterns returns the alarm ARN patterns (after "alarm:") the
// core stack's topic policy lets publish.
func topicArnPatterns(t *testing.T, tmpl map[string]any) []string {
	t.Helper()
	pol, ok := tmpl["Resources"].(map[string]any)["AlarmTopicPolicy"].(map[string]any)
	if !ok {
		t.Fatal("no AlarmTopicPolicy")
	}
	var out []string
	for _, st := range anySlice(pol["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]) {
		st := st.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		like := st["Condition"].(map[string]any)["ArnLike"].(map[string]any)["aws:SourceArn"]
		for _, a := range anySlice(like) {
			sub := a.(map[string]any)["Fn::Sub"].(string)
			const fixed = "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:"
			if !strings.HasPrefix(sub, fixed) {
				t.Errorf("alarm ARN pattern %s is not this account's and region's alarms", sub)
			}
			out = append(out, strings.TrimPrefix(sub, fixed))
		}
	}
	return out
}

// The topic admits the alarms of the monitored endpoints and notebooks, one
// pattern each, not every alarm whose name starts with the prefix (which
// another project or release starting with the same prefix would match);
// every alarm that has actions, in every stack, still matches one.
func TestTopicPolicy_AdmitsOnlyTheMonitoredResources(t *testing.T) {
	s := synth(t, "sagesize")
	got := topicArnPatterns(t, s.json)
	want := []string{"churn-churn-xgb-*", "churn-sentiment-bert-*", "churn-churn-research-*"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("topic admits alarms %v; want %v", got, want)
	}
	for _, name := range []string{"sagesize", "notebooks", "loadtest", "sizing"} {
		s := synth(t, name)
		patterns := topicArnPatterns(t, s.json)
		for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
			for _, r := range s.allResources(typ) {
				p := r["Properties"].(map[string]any)
				if _, notifies := p["AlarmActions"]; !notifies {
					continue
				}
				alarm := p["AlarmName"].(string)
				matched := false
				for _, pat := range patterns {
					ok, _ := path.Match(pat, alarm)
					matched = matched || ok
				}
				if !matched {
					t.Errorf("%s: alarm %s notifies the topic, but the topic policy admits only %v", name, alarm, patterns)
				}
			}
		}
	}
}

// The sizing endpoint's idle alarm is the only one of its alarms the topic
// admits, by its exact name.
func TestTopicPolicy_SizingAdmitsTheIdleAlarm(t *testing.T) {
	got := topicArnPatterns(t, synth(t, "sizing").json)
	if b, _ := json.Marshal(got); string(b) != `["churn-xgb-sizing-Idle"]` {
		t.Errorf("topic admits %s; want only the sizing endpoint's idle alarm", b)
	}
}
