package monitoring

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// Console links follow the partition: the stack maps AWS::Partition to the
// console's domain, and every dashboard body with links fills
// ${ConsoleDomain} from that mapping, never from a fixed commercial domain.
func TestConsoleLinks_FollowThePartition(t *testing.T) {
	tm, j := synth(t)
	check := func(assertion func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%v", r)
			}
		}()
		assertion()
	}
	check(func() {
		tm.HasMapping(jsii.String(consoleMappingID), map[string]any{
			"aws":        map[string]any{"domain": "console.aws.amazon.com"},
			"aws-us-gov": map[string]any{"domain": "console.amazonaws-us-gov.com"},
			"aws-cn":     map[string]any{"domain": "console.amazonaws.cn"},
		})
	})
	findInMap := map[string]any{"Fn::FindInMap": []any{consoleMappingID, map[string]any{"Ref": "AWS::Partition"}, "domain"}}
	dashboards := 0
	for id, r := range j["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] != "AWS::CloudWatch::Dashboard" {
			continue
		}
		dashboards++
		sub := r["Properties"].(map[string]any)["DashboardBody"].(map[string]any)["Fn::Sub"].([]any)
		body := sub[0].(string)
		if strings.Contains(body, "console.aws.amazon.com") || !strings.Contains(body, "https://${ConsoleDomain}/sagemaker/home?region=${AWS::Region}") {
			t.Errorf("%s: the body's console link is not https://${ConsoleDomain}/sagemaker/...", id)
		}
		got, _ := json.Marshal(sub[1])
		want, _ := json.Marshal(map[string]any{"ConsoleDomain": findInMap})
		if string(got) != string(want) {
			t.Errorf("%s: Fn::Sub variables = %s; want %s", id, got, want)
		}
	}
	if dashboards == 0 {
		t.Fatal("no dashboards were synthesized")
	}
}

// subTemplate is the template string of a Fn::Sub, in its string or
// [string, variables] form.
func subTemplate(v any) string {
	sub := v.(map[string]any)["Fn::Sub"]
	if a, ok := sub.([]any); ok && len(a) == 2 {
		sub = a[0]
	}
	s, _ := sub.(string)
	return s
}
