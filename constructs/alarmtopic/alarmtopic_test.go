package alarmtopic

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// One ARN pattern per monitored resource while they fit MaxPatternBytes;
// prefix-* when they would not, or when there are none.
func TestAlarmArnPatterns(t *testing.T) {
	got, _ := json.Marshal(AlarmArnPatterns("churn", []string{"churn-xgb-*", "churn-nb-*"}))
	want := `[{"Fn::Sub":"arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:churn-xgb-*"},` +
		`{"Fn::Sub":"arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:churn-nb-*"}]`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	var many []string
	for i := range 400 {
		many = append(many, fmt.Sprintf("churn-endpoint-with-a-long-name-%03d-*", i))
	}
	for name, patterns := range map[string][]string{"none": nil, "too many": many} {
		got, _ := json.Marshal(AlarmArnPatterns("churn", patterns))
		if !strings.HasSuffix(string(got), `alarm:churn-*"}]`) || strings.Count(string(got), "Fn::Sub") != 1 {
			t.Errorf("%s: %s; want only churn-*", name, got)
		}
	}
}
