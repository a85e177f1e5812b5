package check

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// MaxVariableValues bounds the values sagesize lists in one select
// variable: the console's drop-down stays usable, and a fleet larger than
// that is split over several dashboards.
const MaxVariableValues = 500

// variables checks a body's variables: each an object with a unique id, a
// type (property or pattern) and the property or pattern it replaces, an
// inputType (select, radio or input) and, for select and radio, its values
// (listed, non-empty and distinct, or a metric search with populateFrom);
// a default value that is one of the listed values; a property variable's
// property must be a dimension or widget property the body's metrics use
// (otherwise selecting a value changes nothing), a pattern variable's
// pattern must be a regular expression that matches the widgets (JSON).
func (v *validator) variables(raw any, widgets []byte) {
	list, ok := raw.([]any)
	if !ok {
		v.errf("body", "variables must be an array, got %s", show(raw))
		return
	}
	ids := map[string]int{}
	for i, item := range list {
		path := fmt.Sprintf("variables[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			v.errf(path, "must be an object, got %s", show(item))
			continue
		}
		if id, ok := v.str(path, "id", m, true); ok {
			if j, dup := ids[id]; dup {
				v.errf(path, "id %q is already the id of variables[%d]; ids must be unique", id, j)
			}
			ids[id] = i
		}
		v.variable(path, m, widgets)
	}
}

// variable checks one variable object.
func (v *validator) variable(path string, m map[string]any, widgets []byte) {
	v.keys(path, m, "type", "property", "pattern", "inputType", "id", "label", "defaultValue", "visible", "values", "search", "populateFrom")
	v.str(path, "label", m, false)
	v.boolean(path, "visible", m)
	typ, _ := v.str(path, "type", m, true)
	switch typ {
	case "property":
		if p, ok := v.str(path, "property", m, true); ok && !v.properties[p] {
			v.errf(path, "property %q appears in no widget's metrics (used: %s), so selecting a value would change nothing", p, strings.Join(sortedKeys(v.properties), ", "))
		}
	case "pattern":
		if p, ok := v.str(path, "pattern", m, true); ok {
			if re, err := regexp.Compile(p); err != nil {
				v.errf(path, "pattern %q is not a regular expression: %v", p, err)
			} else if !re.Match(widgets) {
				v.errf(path, "pattern %q matches nothing in the widgets, so selecting a value would change nothing", p)
			}
		}
	case "":
	default:
		v.errf(path, "type must be property or pattern, got %q", typ)
	}
	input, _ := v.str(path, "inputType", m, true)
	switch input {
	case "select", "radio":
		v.variableValues(path, m)
	case "input":
		if _, ok := m["values"]; ok {
			v.errf(path, "inputType input takes free text: remove values, or use select or radio")
		}
	case "":
	default:
		v.errf(path, "inputType must be select, radio or input, got %q", input)
	}
}

// variableValues checks the choices of a select or radio variable and its
// default value.
func (v *validator) variableValues(path string, m map[string]any) {
	if _, ok := m["search"]; ok {
		v.str(path, "search", m, true)
		v.str(path, "populateFrom", m, true)
		return
	}
	raw, ok := m["values"]
	list, isList := raw.([]any)
	if !ok || !isList || len(list) == 0 {
		v.errf(path, "values must be a non-empty array of {value, label} (or give search and populateFrom), got %s", show(raw))
		return
	}
	if len(list) > MaxVariableValues {
		v.errf(path, "%d values; sagesize lists at most %d in one variable", len(list), MaxVariableValues)
	}
	seen := map[string]bool{}
	for i, item := range list {
		p := fmt.Sprintf("%s.values[%d]", path, i)
		vm, ok := item.(map[string]any)
		if !ok {
			v.errf(p, "must be an object {value, label}, got %s", show(item))
			continue
		}
		v.keys(p, vm, "value", "label")
		v.str(p, "label", vm, false)
		if s, ok := v.str(p, "value", vm, true); ok {
			if seen[s] {
				v.errf(p, "value %q is listed twice", s)
			}
			seen[s] = true
		}
	}
	if d, ok := v.str(path, "defaultValue", m, false); ok && d != "__FIRST" && !seen[d] {
		v.errf(path, "defaultValue %q is not one of the values (%s)", d, strings.Join(sortedKeys(seen), ", "))
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slices.Clip(keys)
}
