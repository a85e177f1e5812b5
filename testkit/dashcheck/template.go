package dashcheck

import (
	"errors"
	"fmt"
	"regexp"
	"sort"

	"github.com/sagesize/sagesize/dashboard/check"
)

// Report is what CheckTemplate looked at, for test logs.
type Report struct {
	// Dashboards are the names of the dashboards checked.
	Dashboards []string
	// Alarms is the number of metric alarms checked against the catalogue.
	Alarms int
	// Metrics is the number of metric lines in all dashboards.
	Metrics int
}

// CheckTemplate checks a synthesized CloudFormation template (parsed
// JSON): every AWS::CloudWatch::Dashboard body, with its intrinsics resolved
// in env, by ValidateBody (alarm status widgets may list only the template's
// alarms), and every AWS::CloudWatch::Alarm's metric (or its metric math
// inputs) against opts.Catalogue. It returns every problem, each prefixed
// with the resource's logical id.
func CheckTemplate(tmpl map[string]any, env Env, opts Options) (Report, error) {
	var rep Report
	res, ok := tmpl["Resources"].(map[string]any)
	if !ok {
		return rep, errors.New("template has no Resources object")
	}
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if env.Mappings == nil {
		env.Mappings, _ = tmpl["Mappings"].(map[string]any)
	}
	if opts.Alarms == nil {
		opts.Alarms = map[string]bool{}
		for _, id := range ids {
			r, _ := res[id].(map[string]any)
			p, _ := r["Properties"].(map[string]any)
			if t := r["Type"]; t == "AWS::CloudWatch::Alarm" || t == "AWS::CloudWatch::CompositeAlarm" {
				if name, ok := p["AlarmName"].(string); ok {
					opts.Alarms[name] = true
				}
			}
		}
	}
	var errs []error
	for _, id := range ids {
		r, _ := res[id].(map[string]any)
		p, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::CloudWatch::Dashboard":
			name, _ := p["DashboardName"].(string)
			rep.Dashboards = append(rep.Dashboards, name)
			body, err := Resolve(p["DashboardBody"], env)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s (dashboard %s): DashboardBody: %w", id, name, err))
				continue
			}
			n, err := countMetrics([]byte(body))
			if err == nil {
				rep.Metrics += n
			}
			if err := ValidateBody([]byte(body), opts); err != nil {
				errs = append(errs, fmt.Errorf("%s (dashboard %s):\n%w", id, name, err))
			}
		case "AWS::CloudWatch::Alarm":
			rep.Alarms++
			if err := CheckAlarm(p, opts.Catalogue); err != nil {
				errs = append(errs, fmt.Errorf("%s (alarm %v): %w", id, p["AlarmName"], err))
			}
		}
	}
	return rep, errors.Join(errs...)
}

func countMetrics(body []byte) (int, error) {
	doc, err := check.Decode(body)
	if err != nil {
		return 0, err
	}
	n := 0
	ws, _ := doc.(map[string]any)["widgets"].([]any)
	for _, w := range ws {
		p, _ := w.(map[string]any)["properties"].(map[string]any)
		ms, _ := p["metrics"].([]any)
		n += len(ms)
	}
	return n, nil
}

// alarmIDPattern is a metric math id: a lower-case letter first.
var alarmIDPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9_]*$`)

// CheckAlarm checks the metric an AWS::CloudWatch::Alarm's properties
// read: MetricName, Namespace and Dimensions, or every MetricStat of its
// Metrics (metric math) with the expressions' id references, against cat;
// and its statistic.
func CheckAlarm(props map[string]any, cat check.Catalogue) error {
	var errs []error
	metric := func(path string, ns, name any, dims any) {
		nsS, ok1 := ns.(string)
		nameS, ok2 := name.(string)
		if !ok1 || !ok2 {
			errs = append(errs, fmt.Errorf("%sNamespace and MetricName must be strings", path))
			return
		}
		var names []string
		list, _ := dims.([]any)
		for _, d := range list {
			dm, _ := d.(map[string]any)
			n, ok := dm["Name"].(string)
			if !ok {
				errs = append(errs, fmt.Errorf("%sa dimension has no Name", path))
				continue
			}
			names = append(names, n)
		}
		if cat != nil {
			if err := cat.Check(nsS, nameS, names); err != nil {
				errs = append(errs, fmt.Errorf("%s%w", path, err))
			}
		}
	}
	if name, ok := props["MetricName"]; ok {
		metric("", props["Namespace"], name, props["Dimensions"])
		if s, ok := props["ExtendedStatistic"].(string); ok {
			if err := check.CheckStat(s); err != nil {
				errs = append(errs, fmt.Errorf("ExtendedStatistic: %w", err))
			}
		}
	}
	if raw, ok := props["Metrics"]; ok {
		queries, _ := raw.([]any)
		defined := map[string]bool{}
		var exprs []string
		for i, q := range queries {
			qm, _ := q.(map[string]any)
			path := fmt.Sprintf("Metrics[%d]: ", i)
			if id, ok := qm["Id"].(string); ok {
				if !alarmIDPattern.MatchString(id) {
					errs = append(errs, fmt.Errorf("%sId %q must start with a lower-case letter", path, id))
				}
				if defined[id] {
					errs = append(errs, fmt.Errorf("%sId %q is used twice", path, id))
				}
				defined[id] = true
			}
			if e, ok := qm["Expression"].(string); ok {
				exprs = append(exprs, e)
			}
			if ms, ok := qm["MetricStat"].(map[string]any); ok {
				m, _ := ms["Metric"].(map[string]any)
				metric(path, m["Namespace"], m["MetricName"], m["Dimensions"])
				if s, ok := ms["Stat"].(string); ok {
					if err := check.CheckStat(s); err != nil {
						errs = append(errs, fmt.Errorf("%sStat: %w", path, err))
					}
				}
			}
		}
		for _, e := range exprs {
			refs, err := check.ExprRefs(e)
			if err != nil {
				errs = append(errs, fmt.Errorf("expression %q: %w", e, err))
			}
			for _, r := range refs {
				if !defined[r] {
					errs = append(errs, fmt.Errorf("expression %q refers to id %q, which no query has", e, r))
				}
			}
		}
	}
	return errors.Join(errs...)
}
