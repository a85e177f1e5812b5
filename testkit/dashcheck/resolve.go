package dashcheck

import (
	"errors"
	"fmt"
	"strings"
)

// Env holds the values of the CloudFormation pseudo parameters that
// Resolve substitutes. The zero value is not useful; see DefaultEnv.
type Env struct {
	Region, Partition, AccountID string
	// Mappings are the template's Mappings, for Fn::FindInMap (CheckTemplate
	// sets them from the template it checks).
	Mappings map[string]any
}

// DefaultEnv is the environment the tests resolve templates in.
func DefaultEnv() Env {
	return Env{Region: "us-east-1", Partition: "aws", AccountID: "123456789012"}
}

func (e Env) pseudo(name string) (string, bool) {
	switch name {
	case "AWS::Region":
		return e.Region, true
	case "AWS::Partition":
		return e.Partition, true
	case "AWS::AccountId":
		return e.AccountID, true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	return "", false
}

// Resolve turns a CloudFormation string value (a literal, Ref of a pseudo
// parameter, Fn::Sub in its string or [string, variables] form, or
// Fn::Join of those) into the string CloudFormation would pass on. A
// reference to anything but a pseudo parameter or a Fn::Sub variable is an
// error: the value would depend on a resource and cannot be checked here.
func Resolve(v any, env Env) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if len(v) != 1 {
			return "", fmt.Errorf("an intrinsic function object must have exactly one key, got %d", len(v))
		}
		for fn, arg := range v {
			switch fn {
			case "Ref":
				name, ok := arg.(string)
				if !ok {
					return "", errors.New("Ref takes a string")
				}
				if s, ok := env.pseudo(name); ok {
					return s, nil
				}
				return "", fmt.Errorf("Ref %s: only pseudo parameters can be resolved statically", name)
			case "Fn::Sub":
				return resolveSub(arg, env)
			case "Fn::Join":
				return resolveJoin(arg, env)
			case "Fn::FindInMap":
				return resolveFindInMap(arg, env)
			default:
				return "", fmt.Errorf("%s cannot be resolved statically", fn)
			}
		}
	}
	return "", fmt.Errorf("cannot resolve a %T to a string", v)
}

// resolveFindInMap looks [map, key, key] up in env.Mappings, each key
// resolved first; a missing entry is an error, as at deploy time.
func resolveFindInMap(arg any, env Env) (string, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return "", errors.New("Fn::FindInMap takes [map, top-level key, second-level key]")
	}
	keys := make([]string, 3)
	for i, k := range a {
		s, err := Resolve(k, env)
		if err != nil {
			return "", fmt.Errorf("Fn::FindInMap key %d: %w", i, err)
		}
		keys[i] = s
	}
	m, _ := env.Mappings[keys[0]].(map[string]any)
	top, _ := m[keys[1]].(map[string]any)
	v, ok := top[keys[2]].(string)
	if !ok {
		return "", fmt.Errorf("Fn::FindInMap: mapping %s has no string at %s.%s", keys[0], keys[1], keys[2])
	}
	return v, nil
}

func resolveJoin(arg any, env Env) (string, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return "", errors.New("Fn::Join takes [delimiter, [values]]")
	}
	sep, ok := a[0].(string)
	parts, ok2 := a[1].([]any)
	if !ok || !ok2 {
		return "", errors.New("Fn::Join takes [delimiter, [values]]")
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		s, err := Resolve(p, env)
		if err != nil {
			return "", fmt.Errorf("Fn::Join value %d: %w", i, err)
		}
		out[i] = s
	}
	return strings.Join(out, sep), nil
}

func resolveSub(arg any, env Env) (string, error) {
	var tmpl string
	vars := map[string]string{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			return "", errors.New("Fn::Sub takes a string or [string, {variables}]")
		}
		s, ok := a[0].(string)
		m, ok2 := a[1].(map[string]any)
		if !ok || !ok2 {
			return "", errors.New("Fn::Sub takes a string or [string, {variables}]")
		}
		tmpl = s
		for k, v := range m {
			r, err := Resolve(v, env)
			if err != nil {
				return "", fmt.Errorf("Fn::Sub variable %s: %w", k, err)
			}
			vars[k] = r
		}
	default:
		return "", errors.New("Fn::Sub takes a string or [string, {variables}]")
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("Fn::Sub: unterminated ${ at %q", clip(tmpl[i:]))
		}
		name := tmpl[i+2 : i+j]
		tmpl = tmpl[i+j+1:]
		if strings.HasPrefix(name, "!") { // ${!Literal} is the literal ${Literal}
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		if v, ok := vars[name]; ok {
			b.WriteString(v)
			continue
		}
		if v, ok := env.pseudo(name); ok {
			b.WriteString(v)
			continue
		}
		return "", fmt.Errorf("Fn::Sub: ${%s} refers to a resource or parameter and cannot be resolved statically", name)
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
