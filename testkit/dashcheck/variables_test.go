package dashcheck

import (
	"strings"
	"testing"
)

// endpointVariables are the variables of a shared dashboard: an endpoint
// and a variant selector over the base body's metrics.
func endpointVariables() []any {
	sel := func(id, property string, values ...string) map[string]any {
		vs := []any{}
		for _, v := range values {
			vs = append(vs, map[string]any{"label": v, "value": v})
		}
		return map[string]any{"type": "property", "property": property, "inputType": "select", "id": id,
			"label": property, "defaultValue": values[0], "visible": true, "values": vs}
	}
	return []any{sel("endpoint", "EndpointName", "ep", "ep-2"), sel("variant", "VariantName", "AllTraffic")}
}

func TestValidateBody_AcceptsPropertyVariables(t *testing.T) {
	body := mutate(t, func(b map[string]any) { b["variables"] = endpointVariables() })
	if err := ValidateBody(body, options(t)); err != nil {
		t.Fatalf("a body with EndpointName and VariantName select variables was rejected:\n%v", err)
	}
}

// Each broken variable must be rejected with a message that names the problem.
func TestValidateBody_RejectsBrokenVariables(t *testing.T) {
	v := func(b map[string]any, i int) map[string]any { return b["variables"].([]any)[i].(map[string]any) }
	tests := []struct {
		name string
		edit func(b map[string]any)
		want string
	}{
		{"variables not an array", func(b map[string]any) { b["variables"] = map[string]any{} }, "variables must be an array"},
		{"property no metric uses", func(b map[string]any) { v(b, 0)["property"] = "InferenceComponentName" },
			`property "InferenceComponentName" appears in no widget's metrics`},
		{"duplicate id", func(b map[string]any) { v(b, 1)["id"] = "endpoint" }, `variables[1]: id "endpoint" is already the id of variables[0]`},
		{"missing id", func(b map[string]any) { delete(v(b, 0), "id") }, "variables[0]: id is missing"},
		{"empty values", func(b map[string]any) { v(b, 0)["values"] = []any{} }, "values must be a non-empty array"},
		{"no values for select", func(b map[string]any) { delete(v(b, 0), "values") }, "values must be a non-empty array"},
		{"value listed twice", func(b map[string]any) {
			v(b, 0)["values"] = []any{map[string]any{"value": "ep"}, map[string]any{"value": "ep"}}
		}, `value "ep" is listed twice`},
		{"empty value", func(b map[string]any) { v(b, 0)["values"] = []any{map[string]any{"value": ""}} }, "value is empty"},
		{"default not a value", func(b map[string]any) { v(b, 0)["defaultValue"] = "other" }, `defaultValue "other" is not one of the values (ep, ep-2)`},
		{"bad type", func(b map[string]any) { v(b, 0)["type"] = "dimension" }, `type must be property or pattern, got "dimension"`},
		{"bad input type", func(b map[string]any) { v(b, 0)["inputType"] = "dropdown" }, `inputType must be select, radio or input, got "dropdown"`},
		{"input with values", func(b map[string]any) { v(b, 0)["inputType"] = "input" }, "inputType input takes free text: remove values"},
		{"misspelled key", func(b map[string]any) { v(b, 0)["default"] = "ep" }, `unknown property "default"`},
		{"pattern matching nothing", func(b map[string]any) {
			delete(v(b, 0), "property")
			v(b, 0)["type"] = "pattern"
			v(b, 0)["pattern"] = "no-such-endpoint"
		}, `pattern "no-such-endpoint" matches nothing in the widgets`},
		{"property missing", func(b map[string]any) { delete(v(b, 0), "property") }, "variables[0]: property is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := mutate(t, func(b map[string]any) {
				b["variables"] = endpointVariables()
				tc.edit(b)
			})
			err := ValidateBody(body, options(t))
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error does not say %q:\n%v", tc.want, err)
			}
		})
	}
}
