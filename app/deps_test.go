package app_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The CDK app is the root package; it synthesizes templates and calls no AWS
// API, so it must not link the load generator, its histogram library or the
// AWS SDK clients and the CLI library that loadgen and the CLI use at run time.
const appPackage = "github.com/sagesize/sagesize"

// forbidden are the packages (and everything below them) the app must not link.
func forbidden() []string {
	return []string{
		"github.com/sagesize/sagesize/loadgen",
		"github.com/HdrHistogram/hdrhistogram-go",
		"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime",
		"github.com/aws/aws-sdk-go-v2/service/cloudwatch",
		"github.com/aws/aws-sdk-go-v2/service/s3",
		"github.com/aws/aws-sdk-go-v2/service/ecs",
		"github.com/aws/aws-sdk-go-v2/service/cloudformation",
		"github.com/spf13/cobra",
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
	// Walk the import graph from the app, keeping for each package the one
	// that first imported it; report the first forbidden package on each
	// path, with the path.
	isForbidden := func(p string) bool {
		return slices.ContainsFunc(forbidden(), func(f string) bool { return p == f || strings.HasPrefix(p, f+"/") })
	}
	parent := map[string]string{appPackage: ""}
	queue := []string{appPackage}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range imports[p] {
			if _, seen := parent[q]; seen {
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

// The package graph in docs/architecture.md is the one the code has: a
// change of imports updates the document (paste scripts/depgraph's output).
func TestArchitectureDoc_ShowsTheCurrentPackageGraph(t *testing.T) {
	graph, err := exec.Command("bash", "../scripts/depgraph").Output()
	if err != nil {
		t.Fatalf("scripts/depgraph: %v", err)
	}
	doc, err := os.ReadFile("../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(graph), "app ") || !strings.Contains(string(doc), "```\n"+string(graph)+"```") {
		t.Errorf("docs/architecture.md does not show the current package graph; replace its graph block with the output of scripts/depgraph:\n%s", graph)
	}
}
