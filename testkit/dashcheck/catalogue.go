package dashcheck

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sagesize/sagesize/internal/cwagent"
	"github.com/sagesize/sagesize/internal/editdist"
	contract "github.com/sagesize/sagesize/metrics"
)

// Metric is one metric as CloudWatch stores it: namespace, name and the
// exact set of dimension names (a metric published with dimensions A and B
// is a different metric from the same name with A alone).
type Metric struct {
	Namespace  string
	Name       string
	Dimensions []string
}

// String renders m as "namespace name{dim1,dim2}" with sorted dimensions.
func (m Metric) String() string {
	d := slices.Clone(m.Dimensions)
	sort.Strings(d)
	return m.Namespace + " " + m.Name + "{" + strings.Join(d, ",") + "}"
}

// SageMakerMetrics is the catalogue of package metrics (metrics.SageMaker)
// as the validator matches it: every metric name SageMaker publishes for
// classic (non inference-component) endpoints with every dimension set it is
// published under. Every metric sagesize graphs must be here.
func SageMakerMetrics() []Metric {
	var ms []Metric
	for _, m := range contract.SageMaker() {
		ms = append(ms, Metric{Namespace: m.Namespace, Name: m.Name, Dimensions: m.Dimensions})
	}
	return ms
}

// KindMetrics is the catalogue of what SageMaker publishes for endpoints of
// one kind (metrics.ForKind: "realtime", "serverless", "async",
// "multiModel", "inferenceComponents") as the validator
// matches it; an error names the known kinds for any other.
func KindMetrics(kind string) ([]Metric, error) {
	cm := contract.ForKind(kind)
	if cm == nil {
		return nil, fmt.Errorf("dashcheck: no metric catalogue for endpoint kind %q; known: %s, %s, %s, %s, %s", kind, contract.KindRealtime, contract.KindServerless, contract.KindAsync, contract.KindMultiModel, contract.KindInferenceComponents)
	}
	ms := make([]Metric, len(cm))
	for i, m := range cm {
		ms[i] = Metric{Namespace: m.Namespace, Name: m.Name, Dimensions: m.Dimensions}
	}
	return ms, nil
}

// KindCatalogue is a catalogue of KindMetrics(kind) and of extra (such as
// the load-test metrics a dashboard also draws): a dashboard of an
// endpoint of that kind passes it only when it reads no other kind's metric.
func KindCatalogue(kind string, extra ...Metric) (*Catalogue, error) {
	ms, err := KindMetrics(kind)
	if err != nil {
		return nil, err
	}
	return NewCatalogue(append(ms, extra...)...), nil
}

// NotebookAgentMetrics returns every metric the CloudWatch agent config of
// internal/cwagent publishes into namespace (empty: cwagent.DefaultNamespace),
// for CPU and GPU notebook instances alike, as cwagent.Published derives it
// from the agent config itself.
func NotebookAgentMetrics(namespace string) ([]Metric, error) {
	if namespace == "" {
		namespace = cwagent.DefaultNamespace
	}
	var ms []Metric
	for _, gpu := range []bool{false, true} {
		cfg, err := cwagent.AgentConfig(cwagent.Options{Namespace: namespace, GPU: gpu})
		if err != nil {
			return nil, fmt.Errorf("dashcheck: notebook agent config (gpu %v): %w", gpu, err)
		}
		pub, err := cwagent.Published(cfg)
		if err != nil {
			return nil, fmt.Errorf("dashcheck: notebook agent metrics (gpu %v): %w", gpu, err)
		}
		for _, p := range pub {
			ms = append(ms, Metric{Namespace: namespace, Name: p.Name, Dimensions: p.Dimensions})
		}
	}
	return ms, nil
}

// Catalogue is a set of metrics that a validator accepts. Its zero value
// accepts nothing.
type Catalogue struct {
	// sets maps namespace, then metric name, to the accepted dimension sets
	// (sorted names joined by commas).
	sets map[string]map[string][]string
}

// NewCatalogue returns a catalogue of ms.
func NewCatalogue(ms ...Metric) *Catalogue {
	c := &Catalogue{sets: map[string]map[string][]string{}}
	for _, m := range ms {
		byName := c.sets[m.Namespace]
		if byName == nil {
			byName = map[string][]string{}
			c.sets[m.Namespace] = byName
		}
		key := dimKey(m.Dimensions)
		if !slices.Contains(byName[m.Name], key) {
			byName[m.Name] = append(byName[m.Name], key)
		}
	}
	return c
}

// DefaultCatalogue is SageMakerMetrics plus the notebook agent's metrics in
// cwagent.DefaultNamespace and loadgen's in the default load-test
// namespace (LoadTestMetrics): everything sagesize's dashboards and alarms
// may read, SEARCH expressions included.
func DefaultCatalogue() (*Catalogue, error) {
	nb, err := NotebookAgentMetrics("")
	if err != nil {
		return nil, err
	}
	return NewCatalogue(append(append(SageMakerMetrics(), nb...), LoadTestMetrics("")...)...), nil
}

// LoadTestMetrics is what loadgen publishes into namespace (empty:
// metrics.NamespaceLoadTest), as the validator matches it.
func LoadTestMetrics(namespace string) []Metric {
	var ms []Metric
	for _, m := range contract.LoadTest(namespace) {
		ms = append(ms, Metric{Namespace: m.Namespace, Name: m.Name, Dimensions: m.Dimensions})
	}
	return ms
}

func dimKey(dims []string) string {
	d := slices.Clone(dims)
	sort.Strings(d)
	return strings.Join(d, ",")
}

// Check reports whether the metric name in namespace with exactly the
// dimension names dims is in the catalogue, and if not, what is wrong:
// the namespace, the name (with the closest known names) or the dimension
// set (with the sets the metric is published under).
func (c *Catalogue) Check(namespace, name string, dims []string) error {
	if c == nil {
		return nil // no catalogue: every metric passes
	}
	byName, ok := c.sets[namespace]
	if !ok {
		return fmt.Errorf("namespace %q is not in the metric catalogue", namespace)
	}
	sets, ok := byName[name]
	if !ok {
		return fmt.Errorf("%s publishes no metric %q%s", namespace, name, closest(name, byName))
	}
	key := dimKey(dims)
	if slices.Contains(sets, key) {
		return nil
	}
	want := make([]string, len(sets))
	for i, s := range sets {
		want[i] = "{" + s + "}"
	}
	return fmt.Errorf("%s %s is not published with dimensions {%s}; it is published with %s",
		namespace, name, key, strings.Join(want, " or "))
}

// closest suggests up to three known names within a small edit distance.
func closest(name string, byName map[string][]string) string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for n := range byName {
		if d := editdist.Distance(strings.ToLower(name), strings.ToLower(n)); d <= max(2, len(name)/4) {
			cs = append(cs, cand{n, d})
		}
	}
	if len(cs) == 0 {
		return ""
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || cs[i].d == cs[j].d && cs[i].name < cs[j].name })
	var names []string
	for i := range min(3, len(cs)) {
		names = append(names, cs[i].name)
	}
	return " (did you mean " + strings.Join(names, ", ") + "?)"
}
