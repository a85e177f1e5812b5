package test

import (
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/internal/cwagent"
)

// agentOptions returns the cwagent options the app uses for notebook name.
func agentOptions(t *testing.T, s *synthesized, name string) cwagent.Options {
	t.Helper()
	for _, n := range s.cfg.Notebooks {
		if n.Name == name {
			inst, err := s.cfg.Catalog.Lookup(n.InstanceType)
			if err != nil {
				t.Fatal(err)
			}
			return cwagent.Options{Namespace: cwagent.DefaultNamespace, GPU: inst.GPUs() > 0, Interval: n.Interval()}
		}
	}
	t.Fatalf("no notebook %s in the config", name)
	return cwagent.Options{}
}

// published is the set of "metric{dims}" the agent config of opts publishes.
func published(t *testing.T, opts cwagent.Options) map[string]bool {
	t.Helper()
	cfg, err := cwagent.AgentConfig(opts)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := cwagent.Published(cfg)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, m := range ms {
		set[m.String()] = true
	}
	return set
}

func metricKey(name string, dims []string) string {
	sort.Strings(dims)
	return cwagent.Metric{Name: name, Dimensions: dims}.String()
}

// usedNotebookMetrics returns, per notebook name, every metric{dims} in the
// agent's namespace that the dashboards and alarms of the template read.
func usedNotebookMetrics(t *testing.T, s *synthesized) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	add := func(name string, dims map[string]string) {
		keys := make([]string, 0, len(dims))
		for k := range dims {
			keys = append(keys, k)
		}
		nb := dims[cwagent.NotebookDimension]
		used[nb] = append(used[nb], metricKey(name, keys))
	}
	for dash, body := range s.dashboards(t) {
		for _, w := range body["widgets"].([]any) {
			p := w.(map[string]any)["properties"].(map[string]any)
			ms, _ := p["metrics"].([]any)
			for _, m := range ms {
				arr := m.([]any)
				if ns, ok := arr[0].(string); !ok || ns != cwagent.DefaultNamespace {
					continue
				}
				dims := map[string]string{}
				for i := 2; i+1 < len(arr); i += 2 {
					k, ok := arr[i].(string)
					if !ok {
						break
					}
					dims[k] = arr[i+1].(string)
				}
				if dims[cwagent.NotebookDimension] == "" {
					t.Errorf("dashboard %s: metric %v has no %s dimension", dash, arr, cwagent.NotebookDimension)
				}
				add(arr[1].(string), dims)
			}
		}
	}
	dimsOf := func(v any) map[string]string {
		dims := map[string]string{}
		list, _ := v.([]any)
		for _, d := range list {
			d := d.(map[string]any)
			dims[d["Name"].(string)] = d["Value"].(string)
		}
		return dims
	}
	for _, r := range s.resources("AWS::CloudWatch::Alarm") {
		p := r["Properties"].(map[string]any)
		if p["Namespace"] == cwagent.DefaultNamespace {
			add(p["MetricName"].(string), dimsOf(p["Dimensions"]))
		}
		queries, _ := p["Metrics"].([]any)
		for _, q := range queries {
			ms, ok := q.(map[string]any)["MetricStat"].(map[string]any)
			if !ok {
				continue
			}
			m := ms["Metric"].(map[string]any)
			if m["Namespace"] == cwagent.DefaultNamespace {
				add(m["MetricName"].(string), dimsOf(m["Dimensions"]))
			}
		}
	}
	return used
}

// Every metric a notebook dashboard or alarm reads is one the embedded agent
// config publishes, with exactly that dimension set: a graph of a metric
// that never arrives is a test failure.
func TestNotebookWidgetsMatchWhatTheAgentPublishes(t *testing.T) {
	for _, example := range []string{"sagesize", "notebooks"} {
		s := synth(t, example)
		used := usedNotebookMetrics(t, s)
		if len(used) != len(s.cfg.Notebooks) {
			t.Errorf("%s: notebook metrics used for %d notebooks; want %d", example, len(used), len(s.cfg.Notebooks))
		}
		for nb, keys := range used {
			opts := agentOptions(t, s, nb)
			pub := published(t, opts)
			for _, k := range keys {
				if !pub[k] {
					t.Errorf("%s: notebook %s reads %s, which its agent config does not publish (it publishes %v)", example, nb, k, pub)
				}
			}
			if opts.GPU {
				for _, want := range []string{metricKey(cwagent.MetricGPUUtilization, []string{cwagent.NotebookDimension}), metricKey(cwagent.MetricGPUMemoryUsed, []string{cwagent.NotebookDimension})} {
					if !strings.Contains(strings.Join(keys, " "), want) {
						t.Errorf("%s: GPU notebook %s does not graph %s", example, nb, want)
					}
				}
			}
		}
	}
}

func TestNotebookLifecycleConfigEmbedsTheAgentConfig(t *testing.T) {
	s := synth(t, "notebooks")
	found := 0
	for _, r := range s.resources("AWS::SageMaker::NotebookInstanceLifecycleConfig") {
		p := r["Properties"].(map[string]any)
		name := p["NotebookInstanceLifecycleConfigName"].(string)
		nb := strings.TrimPrefix(name, s.cfg.Prefix()+"-")
		content := p["OnStart"].([]any)[0].(map[string]any)["Content"].(string)
		if len(content) > cwagent.MaxScriptChars {
			t.Errorf("%s: on-start content is %d characters; SageMaker allows %d", name, len(content), cwagent.MaxScriptChars)
		}
		script, err := base64.StdEncoding.DecodeString(content)
		if err != nil {
			t.Fatalf("%s: content is not base64: %v", name, err)
		}
		opts := agentOptions(t, s, nb)
		want, err := cwagent.OnStartScript(opts)
		if err != nil {
			t.Fatal(err)
		}
		if string(script) != want {
			t.Errorf("%s: the on-start script is not cwagent.OnStartScript(%+v)", name, opts)
		}
		if got := strings.Contains(string(script), "nvidia_gpu"); got != opts.GPU {
			t.Errorf("%s: script mentions nvidia_gpu = %v; want %v (GPU instance type)", name, got, opts.GPU)
		}
		if out, err := exec.Command("bash", "-n", "-c", string(script)).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", name, err, out)
		}
		found++
	}
	if found != 2 {
		t.Errorf("found %d lifecycle configurations; want 2", found)
	}
}

func TestNotebookPolicyAndInstance(t *testing.T) {
	s := synth(t, "notebooks")
	s.has(t, "AWS::IAM::ManagedPolicy", map[string]any{
		"PolicyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid": "PublishNotebookMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": cwagent.DefaultNamespace}},
			}},
		},
		// attachPolicyToRole and the created notebook's role (by ARN) share
		// one name: attached once.
		"Roles": []any{"SageMakerExecution"},
	})
	s.has(t, "AWS::SageMaker::NotebookInstance", map[string]any{
		"NotebookInstanceName": "ds-sandbox",
		"InstanceType":         "ml.t3.medium",
		"DirectInternetAccess": "Disabled",
		"RootAccess":           "Disabled",
		"VolumeSizeInGB":       50,
		"SubnetId":             "subnet-0123456789abcdef0",
		"KmsKeyId":             map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("VolumeKey")), "Arn"}},
		"LifecycleConfigName":  map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("NotebookAgentdssandbox")), "NotebookInstanceLifecycleConfigName"}},
	})
	check(t, func() {
		s.tmpl.HasOutput(jsii.String("NotebookMetricsPolicyArn"), &map[string]any{"Value": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("NotebookMetricsPolicy"))}})
	})
	// The GPU memory alarm is metric math over used and total memory.
	s.has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName": "ds-team-llm-finetune-GPUMemoryUtilization-Critical",
		"Threshold": 95,
		"Metrics": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Expression": "100*num/den", "ReturnData": true,
		})}),
		"EvaluationPeriods": 10,
		"DatapointsToAlarm": 8,
	})
	// High-resolution collection: the graphs use the 10 s period.
	body, _ := json.Marshal(s.dashboards(t)["ds-team-llm-finetune"])
	if !strings.Contains(string(body), `"period":10`) || !strings.Contains(string(body), "GPU 3 (%)") {
		t.Errorf("llm-finetune dashboard lacks 10 s periods or the per-GPU lines of its 4 GPUs")
	}
}
