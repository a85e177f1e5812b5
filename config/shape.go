package config

import (
	"github.com/sagesize/sagesize/internal/editdist"

	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// configShape is the Go type the YAML document must match.
func configShape() reflect.Type { return reflect.TypeFor[Config]() }

var scalarType = reflect.TypeFor[scalar]()

// checkShape walks the YAML tree next to the Go type t and reports, with the
// field path and line, every key t does not have (with the valid keys and
// the closest one), every value of the wrong kind, and every scalar that its
// type's parse rejects. yaml's own decoder stops at the first such error and
// names neither the field nor what would be valid; this reports them all.
func checkShape(root *yaml.Node, t reflect.Type) Problems {
	var ps Problems
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	walkShape(n, t, "", &ps)
	return ps
}

func walkShape(n *yaml.Node, t reflect.Type, path string, ps *Problems) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the field at its zero value
	}
	add := func(format string, args ...any) {
		*ps = append(*ps, Problem{Path: path, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
	}
	if reflect.PointerTo(t).Implements(scalarType) {
		if n.Kind != yaml.ScalarNode {
			add("must be a single value, got %s", kindName(n))
			return
		}
		v := reflect.New(t).Interface().(scalar)
		if err := v.parse(n.Value); err != nil {
			add("%s", err.Error())
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			add("must be a mapping of %s, got %s", strings.Join(fieldNames(t), ", "), kindName(n))
			return
		}
		fields := fieldIndex(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sub := join(path, k.Value)
			f, ok := fields[k.Value]
			if !ok {
				valid := fieldNames(t)
				msg := "unknown field; valid fields here: " + strings.Join(valid, ", ")
				if s := editdist.Closest(k.Value, valid); s != "" {
					msg += " (did you mean " + s + "?)"
				}
				*ps = append(*ps, Problem{Path: sub, Line: k.Line, Msg: msg})
				continue
			}
			walkShape(v, f.Type, sub, ps)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			add("must be a list, got %s", kindName(n))
			return
		}
		for i, e := range n.Content {
			walkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), ps)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			add("must be a mapping, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkShape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), ps)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			add("must be a string, got %s", kindName(n))
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			add("must be a whole number, got %s", describe(n))
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			add("must be a number, got %s", describe(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			add("must be true or false, got %s", describe(n))
		}
	default:
		panic(fmt.Sprintf("config: checkShape does not handle %v", t)) // programmer error
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return strconv.Quote(n.Value)
	}
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindName(n)
}

// fieldIndex maps YAML keys to struct fields.
func fieldIndex(t reflect.Type) map[string]reflect.StructField {
	m := make(map[string]reflect.StructField)
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		m[name] = f
	}
	return m
}

// fieldNames lists the YAML keys of t in declaration order.
func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
