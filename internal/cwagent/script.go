package cwagent

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"text/template"
	"time"
)

//go:embed onstart.sh.tmpl
var onStartTemplate string

var scriptTemplate = template.Must(template.New("on-start").Option("missingkey=error").Parse(onStartTemplate))

// Heredoc delimiters used in the template; no line of an embedded config may equal one.
var heredocDelimiters = []string{"SAGESIZE_CPU_CONFIG", "SAGESIZE_GPU_CONFIG"}

type scriptData struct {
	Namespace       string
	IntervalSeconds int
	GPU             bool
	Placeholder     string
	CPUConfig       string
	GPUConfig       string
}

// OnStartScript renders the bash on-start script for a notebook instance lifecycle
// configuration. The script:
//
//   - logs every step with a UTC timestamp to stdout (SageMaker sends it to CloudWatch
//     Logs, /aws/sagemaker/NotebookInstances, stream <name>/LifecycleConfigOnStart) and
//     to /var/log/sagesize-cwagent.log;
//   - fails with a clear message when the preinstalled agent is missing (nothing is
//     installed or downloaded at boot), or when the notebook name cannot be read from
//     /opt/ml/metadata/resource-metadata.json (jq, then python3, then sed) or is not a
//     valid notebook instance name (which also keeps it safe to substitute into JSON);
//   - embeds AgentConfig (and, with o.GPU, the CPU-only config as well: when nvidia-smi
//     is missing or fails the script warns and falls back to it rather than failing the
//     notebook start), substitutes the name, writes it atomically to
//     /opt/aws/amazon-cloudwatch-agent/etc/sagesize.json and runs
//     `amazon-cloudwatch-agent-ctl -a append-config -m ec2 -s -c file:<that file>`.
//     append-config keeps other agent configs; because the file name is fixed the
//     agent's copy (amazon-cloudwatch-agent.d/file_sagesize.json) is replaced on every
//     run, so the script is idempotent;
//   - bounds every external wait with timeout (nvidia-smi 30s, append-config 180s,
//     status 30s), well inside SageMaker's 5-minute limit, so it runs in the foreground.
//
// SAGESIZE_ROOT, when set, prefixes every absolute path the script touches (tests).
//
// The result is checked against SageMaker's limit: the base64 encoding of the script
// (the lifecycle hook's Content) must not exceed MaxScriptChars.
func OnStartScript(o Options) (string, error) {
	return renderScript(o, MaxScriptChars)
}

// renderScript renders the script and fails if its base64 encoding exceeds limit.
func renderScript(o Options, limit int) (string, error) {
	o, err := o.normalize()
	if err != nil {
		return "", fmt.Errorf("cwagent: %w", err)
	}
	cpuOpts := o
	cpuOpts.GPU = false
	cpuConfig, err := AgentConfig(cpuOpts)
	if err != nil {
		return "", err
	}
	data := scriptData{
		Namespace:       o.Namespace,
		IntervalSeconds: int(o.Interval / time.Second),
		GPU:             o.GPU,
		Placeholder:     NamePlaceholder,
		CPUConfig:       string(cpuConfig),
	}
	if o.GPU {
		gpuConfig, err := AgentConfig(o)
		if err != nil {
			return "", err
		}
		data.GPUConfig = string(gpuConfig)
	}
	for _, cfg := range []string{data.CPUConfig, data.GPUConfig} {
		for _, line := range strings.Split(cfg, "\n") {
			for _, d := range heredocDelimiters {
				if line == d {
					return "", fmt.Errorf("cwagent: agent config contains the heredoc delimiter line %q", d)
				}
			}
		}
	}
	// The namespace is also echoed in a comment; a newline there would end it.
	if strings.ContainsAny(o.Namespace, "\n\r") {
		return "", fmt.Errorf("cwagent: namespace contains a line break")
	}
	var b strings.Builder
	if err := scriptTemplate.Execute(&b, data); err != nil {
		return "", fmt.Errorf("cwagent: render on-start script: %w", err)
	}
	script := b.String()
	if n := EncodedLen(script); n > limit {
		return "", fmt.Errorf("cwagent: on-start script is %d bytes, %d characters base64-encoded: %d over the %d-character lifecycle configuration limit",
			len(script), n, n-limit, limit)
	}
	return script, nil
}

// EncodedLen is the length of script's base64 encoding, the form in which it is sent
// as a lifecycle hook's Content and checked against MaxScriptChars.
func EncodedLen(script string) int {
	return base64.StdEncoding.EncodedLen(len(script))
}
