package cwagent

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

const nb = NotebookDimension

func m(name string, dims ...string) Metric { return Metric{Name: name, Dimensions: dims} }

// wantCPU is what the CPU-only config publishes; the GPU config adds wantGPUExtra.
var (
	wantCPU = []Metric{
		m("cpu_usage_active", nb),
		m("disk_used_percent", nb),
		m("disk_used_percent", nb, "path"),
		m("mem_used_percent", nb),
		m("swap_used_percent", nb),
	}
	wantGPUExtra = []Metric{
		m("nvidia_smi_memory_total", nb),
		m("nvidia_smi_memory_total", nb, "index"),
		m("nvidia_smi_memory_used", nb),
		m("nvidia_smi_memory_used", nb, "index"),
		m("nvidia_smi_utilization_gpu", nb),
		m("nvidia_smi_utilization_gpu", nb, "index"),
		m("nvidia_smi_utilization_memory", nb),
		m("nvidia_smi_utilization_memory", nb, "index"),
	}
)

func sortedMetrics(ms []Metric) []Metric {
	out := append([]Metric(nil), ms...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		if len(out[i].Dimensions) != len(out[j].Dimensions) {
			return len(out[i].Dimensions) < len(out[j].Dimensions)
		}
		return strings.Join(out[i].Dimensions, ",") < strings.Join(out[j].Dimensions, ",")
	})
	return out
}

func mustConfig(t *testing.T, o Options) []byte {
	t.Helper()
	b, err := AgentConfig(o)
	if err != nil {
		t.Fatalf("AgentConfig(%+v): %v", o, err)
	}
	return b
}

func TestAgentConfig(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		wantPlugins []string
		wantNS      string
		wantIvl     float64
		wantAggs    [][]string
	}{
		{"cpu-only defaults", Options{}, []string{"cpu", "disk", "mem", "swap"}, DefaultNamespace, 60,
			[][]string{{nb}, {nb, "path"}}},
		{"gpu", Options{GPU: true, Namespace: "Team/Notebooks", Interval: 10 * time.Second},
			[]string{"cpu", "disk", "mem", "nvidia_gpu", "swap"}, "Team/Notebooks", 10,
			[][]string{{nb}, {nb, "path"}, {nb, "index"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustConfig(t, tt.opts)
			if again := mustConfig(t, tt.opts); !bytes.Equal(b, again) {
				t.Fatal("AgentConfig is not deterministic")
			}
			if !bytes.HasSuffix(b, []byte("}\n")) || !bytes.Contains(b, []byte("\n  \"agent\"")) {
				t.Errorf("want indented JSON ending in a newline, got:\n%s", b)
			}
			var doc struct {
				Agent struct {
					OmitHostname bool `json:"omit_hostname"`
				} `json:"agent"`
				Metrics struct {
					Namespace   string                                `json:"namespace"`
					Aggregation [][]string                            `json:"aggregation_dimensions"`
					Collected   map[string]map[string]json.RawMessage `json:"metrics_collected"`
				} `json:"metrics"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("invalid JSON: %v\n%s", err, b)
			}
			if !doc.Agent.OmitHostname {
				t.Error("omit_hostname should be true")
			}
			if doc.Metrics.Namespace != tt.wantNS {
				t.Errorf("namespace = %q, want %q", doc.Metrics.Namespace, tt.wantNS)
			}
			if !reflect.DeepEqual(doc.Metrics.Aggregation, tt.wantAggs) {
				t.Errorf("aggregation_dimensions = %v, want %v", doc.Metrics.Aggregation, tt.wantAggs)
			}
			var plugins []string
			for p, sec := range doc.Metrics.Collected {
				plugins = append(plugins, p)
				var ivl float64
				if err := json.Unmarshal(sec["metrics_collection_interval"], &ivl); err != nil || ivl != tt.wantIvl {
					t.Errorf("%s: metrics_collection_interval = %s, want %v", p, sec["metrics_collection_interval"], tt.wantIvl)
				}
				var dims map[string]string
				if err := json.Unmarshal(sec["append_dimensions"], &dims); err != nil ||
					!reflect.DeepEqual(dims, map[string]string{nb: NamePlaceholder}) {
					t.Errorf("%s: append_dimensions = %s", p, sec["append_dimensions"])
				}
			}
			sort.Strings(plugins)
			if !reflect.DeepEqual(plugins, tt.wantPlugins) {
				t.Errorf("plugins = %v, want %v", plugins, tt.wantPlugins)
			}
			// The disk plugin watches exactly the root and the SageMaker volume.
			var res []string
			_ = json.Unmarshal(doc.Metrics.Collected["disk"]["resources"], &res)
			if !reflect.DeepEqual(res, []string{RootVolumePath, SageMakerVolumePath}) {
				t.Errorf("disk resources = %v", res)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"ok", Options{Namespace: "A/b_c-d.e#f:g h", Interval: 30 * time.Second}, ""},
		{"reserved namespace", Options{Namespace: "AWS/SageMaker"}, "reserved"},
		{"long namespace", Options{Namespace: strings.Repeat("n", 256)}, "at most 255"},
		{"non-ascii namespace", Options{Namespace: "Näme"}, "printable ASCII"},
		{"newline namespace", Options{Namespace: "a\nb"}, "printable ASCII"},
		{"colon first", Options{Namespace: ":x"}, "must not start"},
		{"sub-second", Options{Interval: 1500 * time.Millisecond}, "whole seconds"},
		{"too long interval", Options{Interval: 2 * time.Hour}, "whole seconds"},
		{"negative interval", Options{Interval: -time.Second}, "whole seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err1 := AgentConfig(tt.opts)
			_, err2 := OnStartScript(tt.opts)
			for _, err := range []error{err1, err2} {
				if tt.wantErr == "" && err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
				}
			}
		})
	}
	if (Options{Interval: 10 * time.Second}).HighResolution() != true || (Options{}).HighResolution() {
		t.Error("HighResolution: want true for 10s, false for the 60s default")
	}
}

func TestPublished(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []Metric
	}{
		{"cpu-only", Options{}, wantCPU},
		{"gpu", Options{GPU: true}, sortedMetrics(append(append([]Metric(nil), wantCPU...), wantGPUExtra...))},
		{"gpu high-res custom namespace", Options{GPU: true, Interval: 10 * time.Second, Namespace: "X/Y"},
			sortedMetrics(append(append([]Metric(nil), wantCPU...), wantGPUExtra...))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Published(mustConfig(t, tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Published =\n  %v\nwant\n  %v", got, tt.want)
			}
			// Every configured measurement must reach CloudWatch under some
			// dimension set (catches e.g. dropping a metric that has no rollup).
			var doc struct {
				Metrics struct {
					Collected map[string]struct {
						Measurement []struct{ Name string } `json:"measurement"`
					} `json:"metrics_collected"`
				} `json:"metrics"`
			}
			if err := json.Unmarshal(mustConfig(t, tt.opts), &doc); err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, mm := range got {
				names[mm.Name] = true
			}
			for p, sec := range doc.Metrics.Collected {
				for _, ms := range sec.Measurement {
					if !names[ms.Name] {
						t.Errorf("%s: measurement %s is collected but never published", p, ms.Name)
					}
				}
			}
		})
	}
}

// TestPublishedModel pins the agent rules Published models, on hand-written configs.
func TestPublishedModel(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		want    []Metric
		wantErr string
	}{
		{
			name: "host kept without omit_hostname; per-cpu and total share the cpu dimension",
			config: `{"metrics":{"metrics_collected":{
				"cpu":{"measurement":["usage_idle"],"resources":["*"],"totalcpu":true},
				"mem":{"measurement":["mem_used_percent"]}}}}`,
			want: []Metric{m("cpu_usage_idle", "cpu", "host"), m("mem_used_percent", "host")},
		},
		{
			name: "rollup needs strictly fewer dimensions, so dropping mem publishes nothing",
			config: `{"agent":{"omit_hostname":true},"metrics":{"aggregation_dimensions":[["K"]],"metrics_collected":{
				"mem":{"measurement":["used_percent"],"append_dimensions":{"K":"v"},"drop_original_metrics":["mem_used_percent"]},
				"swap":{"measurement":["used_percent"],"append_dimensions":{"K":"v"}}}}}`,
			want: []Metric{m("swap_used_percent", "K")},
		},
		{
			name: "rollup needs every key; empty rollup set; rename",
			config: `{"agent":{"omit_hostname":true},"metrics":{"aggregation_dimensions":[["K","path"],[]],"metrics_collected":{
				"cpu":{"measurement":[{"name":"usage_active","rename":"CPU"}],"append_dimensions":{"K":"v"}}}}}`,
			want: []Metric{m("CPU"), m("CPU", "K", "cpu")},
		},
		{
			name:    "raw disk series has version-dependent dimensions",
			config:  `{"agent":{"omit_hostname":true},"metrics":{"metrics_collected":{"disk":{"measurement":["used_percent"],"drop_device":true}}}}`,
			wantErr: "possibly [label]",
		},
		{
			name:    "raw GPU series has driver-dependent dimensions",
			config:  `{"agent":{"omit_hostname":true},"metrics":{"metrics_collected":{"nvidia_gpu":{"measurement":["utilization_gpu"]}}}}`,
			wantErr: "possibly [arch]",
		},
		{
			name: "rollup over a driver-dependent dimension",
			config: `{"agent":{"omit_hostname":true},"metrics":{"aggregation_dimensions":[["arch"]],"metrics_collected":{
				"nvidia_gpu":{"measurement":["utilization_gpu"],"drop_original_metrics":["utilization_gpu"]}}}}`,
			wantErr: "depends on the agent or driver version",
		},
		{
			name:    "unmodelled plugin",
			config:  `{"metrics":{"metrics_collected":{"diskio":{"measurement":["io_time"]}}}}`,
			wantErr: `plugin "diskio" is not modelled`,
		},
		{
			name:    "unknown field",
			config:  `{"metrics":{"metrics_collected":{"mem":{"measurement":["mem_bogus"]}}}}`,
			wantErr: `measurement "mem_bogus"`,
		},
		{
			name:    "metrics-level append_dimensions",
			config:  `{"metrics":{"append_dimensions":{"InstanceId":"${aws:InstanceId}"},"metrics_collected":{"mem":{"measurement":["used_percent"]}}}}`,
			wantErr: "metrics-level append_dimensions",
		},
		{
			name:    "not JSON",
			config:  `{`,
			wantErr: "parse agent config",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Published([]byte(tt.config))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Published =\n  %v\nwant\n  %v", got, tt.want)
			}
		})
	}
}

func TestOnStartScript(t *testing.T) {
	for _, gpu := range []bool{false, true} {
		t.Run(map[bool]string{false: "cpu", true: "gpu"}[gpu], func(t *testing.T) {
			o := Options{GPU: gpu}
			s, err := OnStartScript(o)
			if err != nil {
				t.Fatal(err)
			}
			if n := EncodedLen(s); n > MaxScriptChars || len(s) > MaxScriptBytes {
				t.Errorf("script is %d bytes (%d base64), over the limit", len(s), n)
			}
			t.Logf("script: %d bytes, %d characters base64-encoded (limit %d)", len(s), EncodedLen(s), MaxScriptChars)
			for _, want := range []string{"#!/bin/bash\n", "\nset -euo pipefail\n", "append-config -m ec2 -s -c \"file:${CONFIG}\"", "timeout 180"} {
				if !strings.Contains(s, want) {
					t.Errorf("script lacks %q", want)
				}
			}
			if !strings.HasPrefix(s, "#!/bin/bash\n") {
				t.Error("script must start with #!/bin/bash")
			}
			if !strings.Contains(s, string(mustConfig(t, o))) {
				t.Error("script does not embed AgentConfig verbatim")
			}
			if gpu != strings.Contains(s, "nvidia-smi") {
				t.Errorf("nvidia-smi check present = %v, want %v", !gpu, gpu)
			}
			for _, bad := range []string{"wget ", "curl ", "yum ", "pip ", "nohup"} {
				if strings.Contains(s, bad) {
					t.Errorf("script must not use %q", bad)
				}
			}
		})
	}
	// The longest valid namespace still fits.
	if _, err := OnStartScript(Options{GPU: true, Namespace: strings.Repeat("N", 255)}); err != nil {
		t.Errorf("255-character namespace: %v", err)
	}
}

func TestOnStartScriptTooLong(t *testing.T) {
	s, err := renderScript(Options{GPU: true}, 16384)
	if err != nil {
		t.Fatal(err)
	}
	limit := EncodedLen(s) - 7
	_, err = renderScript(Options{GPU: true}, limit)
	if err == nil {
		t.Fatal("want an error for an oversize script")
	}
	for _, want := range []string{"7 over the", "base64"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func renderAll(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	dir := t.TempDir()
	for _, gpu := range []bool{false, true} {
		s, err := OnStartScript(Options{GPU: gpu})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, map[bool]string{false: "on-start-cpu.sh", true: "on-start-gpu.sh"}[gpu])
		if err := os.WriteFile(p, []byte(s), 0o755); err != nil {
			t.Fatal(err)
		}
		out[p] = s
	}
	return out
}

func TestScriptBashSyntax(t *testing.T) {
	bash := lookBash(t)
	for p := range renderAll(t) {
		if out, err := exec.Command(bash, "-n", p).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", filepath.Base(p), err, out)
		}
	}
}

func TestScriptShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck not on PATH (CI is set); install it: apt-get update && apt-get install -y shellcheck")
		}
		t.Skip("shellcheck not on PATH; install it: apt-get update && apt-get install -y shellcheck")
	}
	for p := range renderAll(t) {
		if out, err := exec.Command(sc, "--shell=bash", "--severity=style", p).CombinedOutput(); err != nil {
			t.Errorf("shellcheck %s: %v\n%s", filepath.Base(p), err, out)
		}
	}
}

func lookBash(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not on PATH")
	}
	return bash
}

// fakeRoot lays out what the script touches on a notebook instance under a temp dir.
type fakeRoot struct {
	dir, bin, calls string
}

const fakeCtl = `#!/bin/bash
printf '%s\n' "$*" >>"${0%/*}/calls.log"
case "$2" in
  status) printf '{\n  "status": "running",\n  "configstatus": "configured"\n}\n' ;;
  *) echo "fake ctl: $*"; exit "${FAKE_CTL_EXIT:-0}" ;;
esac
`

func newFakeRoot(t *testing.T, metadata string, withAgent bool) fakeRoot {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, content string, mode os.FileMode) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("opt/ml/metadata/resource-metadata.json", metadata, 0o644)
	if withAgent {
		write("opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl", fakeCtl, 0o755)
	}
	bin := filepath.Join(dir, "fakebin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return fakeRoot{dir: dir, bin: bin, calls: filepath.Join(dir, "opt/aws/amazon-cloudwatch-agent/bin/calls.log")}
}

func (r fakeRoot) fakeTool(t *testing.T, rel, body string) {
	t.Helper()
	p := filepath.Join(r.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/bash\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func (r fakeRoot) run(t *testing.T, script string, env ...string) (string, error) {
	t.Helper()
	p := filepath.Join(r.dir, "on-start.sh")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lookBash(t), p)
	cmd.Env = append([]string{"SAGESIZE_ROOT=" + r.dir, "PATH=" + r.bin + ":" + os.Getenv("PATH"), "HOME=" + r.dir}, env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("script took %v", d)
	}
	return string(out), err
}

func (r fakeRoot) config(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "opt/aws/amazon-cloudwatch-agent/etc/sagesize.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const metadataJSON = `{"ResourceArn":"arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/my-notebook-1","ResourceName":"my-notebook-1"}`

func expectedConfig(t *testing.T, o Options, name string) []byte {
	t.Helper()
	return bytes.ReplaceAll(mustConfig(t, o), []byte(NamePlaceholder), []byte(name))
}

func TestScriptRunIdempotent(t *testing.T) {
	if _, err := exec.LookPath("nvidia-smi"); err == nil {
		t.Skip("this machine has nvidia-smi; the fallback cases assume it does not")
	}
	tests := []struct {
		name     string
		opts     Options
		setup    func(t *testing.T, r fakeRoot)
		metadata string
		wantCfg  Options // config expected on disk
		wantLog  string
	}{
		{name: "cpu", opts: Options{}, wantCfg: Options{}, wantLog: "notebook instance: my-notebook-1 (read with "},
		{name: "cpu with jq", opts: Options{}, wantCfg: Options{},
			setup: func(t *testing.T, r fakeRoot) {
				r.fakeTool(t, "fakebin/jq", `echo my-notebook-1`)
			},
			wantLog: "notebook instance: my-notebook-1 (read with jq)"},
		{name: "gpu with nvidia-smi", opts: Options{GPU: true}, wantCfg: Options{GPU: true},
			setup: func(t *testing.T, r fakeRoot) {
				r.fakeTool(t, "usr/bin/nvidia-smi", `echo "GPU 0: NVIDIA A10G (UUID: GPU-0)"`)
			},
			wantLog: "enabling nvidia_gpu metrics"},
		{name: "gpu without nvidia-smi falls back to cpu-only", opts: Options{GPU: true}, wantCfg: Options{},
			wantLog: "WARNING: GPU instance type but nvidia-smi is missing"},
		{name: "gpu with failing nvidia-smi falls back", opts: Options{GPU: true}, wantCfg: Options{},
			setup: func(t *testing.T, r fakeRoot) {
				r.fakeTool(t, "usr/bin/nvidia-smi", `echo "NVIDIA-SMI has failed" >&2; exit 9`)
			},
			wantLog: "WARNING: GPU instance type but nvidia-smi is missing or failing"},
		{name: "no jq: python3", opts: Options{}, wantCfg: Options{},
			setup: func(t *testing.T, r fakeRoot) {
				r.fakeTool(t, "fakebin/jq", "exit 127")
			},
			wantLog: "notebook instance: my-notebook-1 (read with python3)"},
		{name: "no jq, no python3: sed on pretty-printed metadata", opts: Options{}, wantCfg: Options{},
			metadata: "{\n  \"ResourceArn\": \"arn:aws:sagemaker:us-east-1:1:notebook-instance/my-notebook-1\",\n  \"ResourceName\": \"my-notebook-1\"\n}\n",
			setup: func(t *testing.T, r fakeRoot) {
				r.fakeTool(t, "fakebin/jq", "exit 127")
				r.fakeTool(t, "fakebin/python3", "exit 127")
			},
			wantLog: "notebook instance: my-notebook-1 (read with sed)"},
	}
	stamp := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ sagesize-cwagent: `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := tt.metadata
			if md == "" {
				md = metadataJSON
			}
			r := newFakeRoot(t, md, true)
			if tt.setup != nil {
				tt.setup(t, r)
			}
			s, err := OnStartScript(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var configs [][]byte
			for i := 0; i < 2; i++ {
				out, err := r.run(t, s)
				if err != nil {
					t.Fatalf("run %d: %v\n%s", i+1, err, out)
				}
				if !strings.Contains(out, tt.wantLog) || !strings.Contains(out, "done in") || !strings.Contains(out, "agent running") {
					t.Errorf("run %d: output lacks %q / done / agent running:\n%s", i+1, tt.wantLog, out)
				}
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					if !stamp.MatchString(line) {
						t.Errorf("run %d: untimestamped output line %q", i+1, line)
					}
				}
				configs = append(configs, r.config(t))
			}
			if !bytes.Equal(configs[0], configs[1]) {
				t.Error("second run wrote a different config")
			}
			if want := expectedConfig(t, tt.wantCfg, "my-notebook-1"); !bytes.Equal(configs[0], want) {
				t.Errorf("config on disk =\n%s\nwant\n%s", configs[0], want)
			}
			if bytes.Contains(configs[0], []byte(NamePlaceholder)) {
				t.Error("placeholder left in the written config")
			}
			calls, err := os.ReadFile(r.calls)
			if err != nil {
				t.Fatal(err)
			}
			cfgPath := filepath.Join(r.dir, "opt/aws/amazon-cloudwatch-agent/etc/sagesize.json")
			apply := "-a append-config -m ec2 -s -c file:" + cfgPath
			wantCalls := apply + "\n-a status\n" + apply + "\n-a status\n"
			if string(calls) != wantCalls {
				t.Errorf("ctl calls =\n%s\nwant\n%s", calls, wantCalls)
			}
			logFile, err := os.ReadFile(filepath.Join(r.dir, "var/log/sagesize-cwagent.log"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(string(logFile), "wrote "+cfgPath); got != 2 {
				t.Errorf("log file records %d writes, want 2:\n%s", got, logFile)
			}
			leftovers, _ := filepath.Glob(cfgPath + ".*")
			if len(leftovers) != 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
		})
	}
}

func TestScriptRunFailures(t *testing.T) {
	tests := []struct {
		name      string
		metadata  string
		withAgent bool
		env       []string
		wantOut   string
	}{
		{"agent missing", metadataJSON, false, nil, "ERROR: CloudWatch agent not found"},
		{"metadata missing", "", true, nil, "ERROR: cannot read"},
		{"invalid name", `{"ResourceName":"bad\"name; rm -rf /"}`, true, nil, "ERROR: invalid or missing ResourceName"},
		{"no name", `{"ResourceArn":"x"}`, true, nil, "ERROR: invalid or missing ResourceName"},
		{"append-config fails", metadataJSON, true, []string{"FAKE_CTL_EXIT=3"}, "ERROR: amazon-cloudwatch-agent-ctl append-config failed (exit 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeRoot(t, tt.metadata, tt.withAgent)
			if tt.metadata == "" {
				if err := os.Remove(filepath.Join(r.dir, "opt/ml/metadata/resource-metadata.json")); err != nil {
					t.Fatal(err)
				}
			}
			s, err := OnStartScript(Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := r.run(t, s, tt.env...)
			if err == nil {
				t.Fatalf("want a non-zero exit, got success:\n%s", out)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
		})
	}
}
