// Package fleetgen writes large synthetic sagesize configs, for the scale
// tests and the synth benchmark: n endpoints with a realistic mix of CPU and
// GPU instance types, single- and multi-variant endpoints and alarm sets.
package fleetgen

import (
	"fmt"
	"strings"
)

// instanceTypes cycle through the generated variants.
var instanceTypes = [...]string{"ml.c5.xlarge", "ml.m5.large", "ml.g5.xlarge", "ml.c6i.2xlarge", "ml.g4dn.xlarge", "ml.m6i.xlarge", "ml.g5.12xlarge", "ml.r5.large", "ml.inf2.xlarge"}

// Config returns a valid config of n endpoints named model-0000 and on. It
// is deterministic: the same n gives the same text, and the config of n+1
// endpoints is the config of n with one more endpoint at the end.
func Config(project string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %d synthetic endpoints written by testkit/fleetgen.\nproject: %s\nnotifications:\n  emails: [oncall@example.com]\nendpoints:\n", n, project)
	for i := range n {
		Endpoint(&b, i)
	}
	return b.String()
}

// Endpoint writes endpoint i of a generated config.
func Endpoint(b *strings.Builder, i int) {
	fmt.Fprintf(b, "  - name: model-%04d\n    variants:\n", i)
	variants := 1
	if i%5 == 0 {
		variants = 2 // every fifth endpoint compares two instance types
	}
	for v := range variants {
		fmt.Fprintf(b, "      - {name: v%d, instanceType: %s, instanceCount: %d}\n", v, instanceTypes[(i+v*4)%len(instanceTypes)], 1+i%3)
	}
	fmt.Fprintf(b, "    slo: {percentile: p99, latency: %dms}\n    alarms:\n", 100+10*(i%20))
	fmt.Fprintf(b, "      modelLatency: {warning: %dms, critical: %dms}\n", 80+10*(i%20), 100+10*(i%20))
	b.WriteString("      overheadLatency: {critical: 50ms}\n")
	b.WriteString("      invocation5xxErrorRate: {warning: 0.5%, critical: 1%}\n")
	b.WriteString("      modelErrorRate: {critical: 1%}\n")
	b.WriteString("      cpuUtilization: {warning: 70%, critical: 90%}\n")
	b.WriteString("      memoryUtilization: {critical: 90%}\n")
}
