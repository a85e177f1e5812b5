package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The CDK app is the root package; it synthesizes templates and calls no AWS
// API, so it must not link the load generator, its histogram library or the
// AWS SDK clients loadgen and the CLI call at run time.
const appPackage = "github.com/sagesize/sagesize"

// forbidden are the packages (and everything below them) the app must not link.
func forbidden() []string {
	return []string{
		"github.com/sagesize/sagesize/loadgen",
		"github.com/HdrHistogram/hdrhistogram-go",
		"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime",
		"github.com/aws/aws-sdk-go-v2/service/cloudwatch",
		"github.com/aws/aws-sdk-go-v2/service/s3",
	}
}

// knownImports are imports that still pull a forbidden package in, with
// the reason and who removes them. The walk skips them; an entry whose
// import is gone fails the test, so that the entry goes with it.
func knownImports() map[[2]string]string {
	return map[[2]string]string{
		{"github.com/sagesize/sagesize/config", "github.com/sagesize/sagesize/loadgen"}: "config validates loadTest.steps and .ramp with loadgen.ParseSteps and ParseRamp, until the load-plan grammar leaves loadgen/pacer.go (branch plan)",
	}
}

func TestApp_LinksNoLoadgenNorRuntimeClients(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", appPackage).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", appPackage, err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		imports[fields[0]] = fields[1:]
	}
	if _, ok := imports[appPackage]; !ok {
		t.Fatalf("go list -deps did not list %s itself:\n%s", appPackage, out)
	}
	known := knownImports()
	for edge, why := range known {
		if !slices.Contains(imports[edge[0]], edge[1]) {
			t.Errorf("%s no longer imports %s: remove it from knownImports (%s)", edge[0], edge[1], why)
		}
	}

	// Walk the import graph from the app, minus the known imports, keeping
	// for each package the one that first imported it; report the first
	// forbidden package on each path, with the path.
	isForbidden := func(p string) bool {
		return slices.ContainsFunc(forbidden(), func(f string) bool { return p == f || strings.HasPrefix(p, f+"/") })
	}
	parent := map[string]string{appPackage: ""}
	queue := []string{appPackage}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range imports[p] {
			if _, seen := parent[q]; seen || known[[2]string{p, q}] != "" {
				continue
			}
			parent[q] = p
			if !isForbidden(q) {
				queue = append(queue, q)
				continue
			}
			chain := []string{q}
			for r := p; r != ""; r = parent[r] {
				chain = append(chain, r)
			}
			slices.Reverse(chain)
			t.Errorf("the CDK app links %s: %s", q, strings.Join(chain, " -> "))
		}
	}
	if len(parent) < 10 {
		t.Errorf("walked only %d packages from %s; the import graph was not read", len(parent), appPackage)
	}
}
