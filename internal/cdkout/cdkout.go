// Package cdkout reads a synthesized CDK cloud assembly (cdk.out) and
// summarizes what its CloudFormation templates contain: stacks, dashboards,
// alarms and the other resources, so that a person can see what `cdk deploy`
// would create without reading the JSON.
package cdkout

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sagesize/sagesize/cwcost"
)

// Stack is one synthesized stack.
type Stack struct {
	// Name is the CloudFormation stack name.
	Name string `json:"name"`
	// Template is the template file's path.
	Template string `json:"template"`
	// Bytes is the template's size.
	Bytes int64 `json:"bytes"`
	// Resources counts resources by type.
	Resources map[string]int `json:"resources"`
	// Dashboards and Alarms are the names of those resources; Composite
	// alarms are listed apart.
	Dashboards []string `json:"dashboards"`
	Alarms     []string `json:"alarms"`
	Composites []string `json:"composites"`
	// Outputs are the stack's output names.
	Outputs []string `json:"outputs"`
	// Billed is what CloudWatch bills the stack for by the month: its
	// dashboards, alarms (with their metrics and periods), composites and
	// the custom metrics of its notebooks' agents.
	Billed cwcost.Stack `json:"-"`
}

type manifest struct {
	Artifacts map[string]struct {
		Type       string `json:"type"`
		Properties struct {
			TemplateFile string `json:"templateFile"`
			StackName    string `json:"stackName"`
		} `json:"properties"`
	} `json:"artifacts"`
}

type template struct {
	Resources map[string]struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	} `json:"Resources"`
	Outputs map[string]any `json:"Outputs"`
}

// Read summarizes every stack of the cloud assembly in dir.
func Read(dir string) ([]Stack, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("read cloud assembly: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	var stacks []Stack
	for id, a := range m.Artifacts {
		if a.Type != "aws:cloudformation:stack" {
			continue
		}
		path := filepath.Join(dir, a.Properties.TemplateFile)
		s, err := readTemplate(path)
		if err != nil {
			return nil, err
		}
		s.Name = a.Properties.StackName
		if s.Name == "" {
			s.Name = id
		}
		s.Billed.Name = s.Name
		stacks = append(stacks, s)
	}
	if len(stacks) == 0 {
		return nil, fmt.Errorf("%s holds no CloudFormation stack", dir)
	}
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	return stacks, nil
}

func readTemplate(path string) (Stack, error) {
	s := Stack{Template: path, Resources: map[string]int{}}
	raw, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("read template: %w", err)
	}
	s.Bytes = int64(len(raw))
	var t template
	if err := json.Unmarshal(raw, &t); err != nil {
		return s, fmt.Errorf("parse %s: %w", path, err)
	}
	for _, r := range t.Resources {
		s.Resources[r.Type]++
		name, _ := r.Properties["DashboardName"].(string)
		alarm, _ := r.Properties["AlarmName"].(string)
		switch r.Type {
		case "AWS::CloudWatch::Dashboard":
			s.Dashboards = append(s.Dashboards, name)
		case "AWS::CloudWatch::Alarm":
			s.Alarms = append(s.Alarms, alarm)
			s.Billed.Alarms = append(s.Billed.Alarms, billedAlarm(alarm, r.Properties))
		case "AWS::CloudWatch::CompositeAlarm":
			s.Composites = append(s.Composites, alarm)
		case "AWS::SageMaker::NotebookInstanceLifecycleConfig":
			nb, ok, err := agentMetrics(r.Properties)
			if err != nil {
				return s, fmt.Errorf("%s: %w", path, err)
			}
			if ok {
				s.Billed.Notebooks = append(s.Billed.Notebooks, nb)
			}
		}
	}
	s.Billed.Dashboards, s.Billed.Composites = len(s.Dashboards), len(s.Composites)
	sort.Slice(s.Billed.Alarms, func(i, j int) bool { return s.Billed.Alarms[i].Name < s.Billed.Alarms[j].Name })
	sort.Slice(s.Billed.Notebooks, func(i, j int) bool { return s.Billed.Notebooks[i].Name < s.Billed.Notebooks[j].Name })
	for o := range t.Outputs {
		s.Outputs = append(s.Outputs, o)
	}
	for _, l := range [][]string{s.Dashboards, s.Alarms, s.Composites, s.Outputs} {
		sort.Strings(l)
	}
	return s, nil
}

// Print writes a human-readable summary of stacks to w.
func Print(w io.Writer, stacks []Stack) error {
	var b strings.Builder
	for _, s := range stacks {
		total := 0
		for _, n := range s.Resources {
			total += n
		}
		fmt.Fprintf(&b, "stack %s\n  template:   %s (%d resources, %.1f KiB)\n", s.Name, s.Template, total, float64(s.Bytes)/1024)
		types := make([]string, 0, len(s.Resources))
		for t := range s.Resources {
			types = append(types, t)
		}
		sort.Strings(types)
		// Columns as wide as the longest type, however long it is.
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, t := range types {
			fmt.Fprintf(tw, "    %s\t%d\n", t, s.Resources[t])
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("format the resources of %s: %w", s.Name, err)
		}
		fmt.Fprintf(&b, "  dashboards: %d\n", len(s.Dashboards))
		for _, d := range s.Dashboards {
			fmt.Fprintf(&b, "    %s\n", d)
		}
		fmt.Fprintf(&b, "  alarms:     %d (+%d composite)\n", len(s.Alarms), len(s.Composites))
		for _, a := range s.Composites {
			fmt.Fprintf(&b, "    %s (composite)\n", a)
		}
		for _, a := range s.Alarms {
			fmt.Fprintf(&b, "    %s\n", a)
		}
		fmt.Fprintf(&b, "  outputs:    %s\n", strings.Join(s.Outputs, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
