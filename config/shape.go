package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/sagesize/sagesize/internal/editdist"
	"go.yaml.in/yaml/v3"
)

var scalarType = reflect.TypeFor[scalar]()

// MaxAliasValues is how many values aliases may add to a document: each use
// of an alias (*name, or a merge <<: *name) counts the values of the node
// it names. A fleet that shares alarm sets among hundreds of endpoints adds
// a few thousand; a "billion laughs" file, whose aliases nest aliases,
// would add billions, and is refused once it passes this many.
const MaxAliasValues = 100_000

// ExtensionPrefix starts the top-level keys sagesize ignores (as Docker
// Compose does): a place to define anchors once (x-alarms: &std {...}) and
// use them below. What they hold is checked where an alias uses it.
const ExtensionPrefix = "x-"

// decodeShape walks the YAML tree next to the Go type of out (a pointer),
// fills out, and reports, with the field path and line, every key the type
// does not have (with the valid keys and the closest one), every value of
// the wrong kind, every scalar its type's parse rejects, every duplicate
// key and every number that is not finite or does not fit. yaml's own
// decoder stops at the first such error, names neither the field nor what
// would be valid, and checks duplicate keys in quadratic time; this reports
// them all in time linear in the document plus what its aliases add, which
// MaxAliasValues bounds.
//
// Anchors, aliases and merge keys follow YAML 1.1: a mapping's own keys
// override merged ones, and of several merged mappings (<<: [*a, *b]) the
// earlier wins. A problem inside an aliased node is reported once, at its
// first use, with the line where it is written.
func decodeShape(root *yaml.Node, out any) Problems {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	w := &walker{walked: make(map[walkKey]bool), active: make(map[*yaml.Node]bool)}
	w.value(n, reflect.ValueOf(out).Elem(), "")
	return w.ps
}

// walkKey is an aliased node checked against a Go type.
type walkKey struct {
	n *yaml.Node
	t reflect.Type
}

type walker struct {
	ps Problems
	// walked holds the aliased nodes already checked against a type: later
	// uses decode them again (each use gets its own values) but report
	// nothing, so problems are not repeated once per use.
	walked map[walkKey]bool
	// active holds the alias targets being walked, to refuse an alias that
	// names a node containing it.
	active map[*yaml.Node]bool
	// quiet > 0 while walking an already-checked aliased node.
	quiet int
	// aliased counts the values walked again for aliases (quietly); over
	// MaxAliasValues the walk stops (stopped).
	aliased int
	stopped bool
}

func (w *walker) add(path string, line int, format string, args ...any) {
	if w.quiet == 0 {
		w.ps = append(w.ps, Problem{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
}

// value decodes n into v (addressable, of v's type) and reports problems at path.
func (w *walker) value(n *yaml.Node, v reflect.Value, path string) {
	if w.stopped {
		return
	}
	if n.Kind == yaml.AliasNode {
		if n = w.resolve(n, path); n == nil {
			return
		}
	}
	if n.Anchor != "" {
		// The first walk of an anchored node as a type reports its
		// problems; later uses (aliases) decode it again quietly.
		k := walkKey{n, v.Type()}
		if w.walked[k] {
			w.quiet++
			defer func() { w.quiet-- }()
		}
		w.walked[k] = true
		w.active[n] = true
		defer delete(w.active, n)
	}
	if !w.spend(n, path) {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the field at its zero value
	}
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		w.value(n, p.Elem(), path)
		v.Set(p)
		return
	}
	if reflect.PointerTo(t).Implements(scalarType) {
		w.custom(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		w.structure(n, v, path)
	case reflect.Slice:
		w.list(n, v, path)
	case reflect.Map:
		w.mapping(n, v, path)
	default:
		w.plain(n, v, path)
	}
}

// resolve returns the node alias n names, or nil (a problem) when it names
// none or a node that contains it.
func (w *walker) resolve(n *yaml.Node, path string) *yaml.Node {
	switch {
	case n.Alias == nil:
		w.add(path, n.Line, "alias *%s names no anchor", n.Value)
		return nil
	case w.active[n.Alias]:
		w.add(path, n.Line, "alias *%s repeats a node that contains it; an anchor cannot be used inside itself", n.Value)
		return nil
	}
	return n.Alias
}

// spend counts a value that an alias repeats (one walked quietly) and
// stops the walk, with a problem at n, once they pass MaxAliasValues.
func (w *walker) spend(n *yaml.Node, path string) bool {
	if w.quiet == 0 {
		return !w.stopped
	}
	if w.aliased++; w.aliased > MaxAliasValues && !w.stopped {
		// Reported even while quiet: it is why the walk stops.
		w.ps = append(w.ps, Problem{Path: path, Line: n.Line, Msg: fmt.Sprintf(
			"aliases repeat more than %d values; sagesize reads at most %d (aliases of nodes that hold aliases multiply: write such parts out)", MaxAliasValues, MaxAliasValues)})
		w.stopped = true
	}
	return !w.stopped
}

// custom decodes a scalar type with its own parse rules (Duration, Percent...).
func (w *walker) custom(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		w.add(path, n.Line, "must be a single value, got %s", kindName(n))
		return
	}
	p := reflect.New(v.Type())
	if err := p.Interface().(scalar).parse(n.Value); err != nil {
		w.add(path, n.Line, "%s", err.Error())
		return
	}
	v.Set(p.Elem())
}

// structure decodes a mapping into the struct v, field by YAML key.
func (w *walker) structure(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	if n.Kind != yaml.MappingNode {
		w.add(path, n.Line, "must be a mapping of %s, got %s", strings.Join(fieldNames(t), ", "), kindName(n))
		return
	}
	fields := fieldIndex(t)
	w.pairs(n, t, path, func(k, val *yaml.Node) {
		sub := join(path, k.Value)
		f, ok := fields[k.Value]
		if !ok && path == "" && strings.HasPrefix(k.Value, ExtensionPrefix) {
			return // a place for anchors, checked where they are used
		}
		if !ok {
			valid := fieldNames(t)
			msg := "unknown field; valid fields here: " + strings.Join(valid, ", ")
			// Closest suggests nothing for a long key: no field name is
			// within a third of its length in edits.
			if s := editdist.Closest(k.Value, valid); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			w.add(sub, k.Line, "%s", msg)
			return
		}
		w.value(val, v.FieldByIndex(f.Index), sub)
	})
}

// mapping decodes a mapping into the map v (string keys).
func (w *walker) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		w.add(path, n.Line, "must be a mapping, got %s", kindName(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	w.pairs(n, v.Type(), path, func(k, val *yaml.Node) {
		e := reflect.New(v.Type().Elem()).Elem()
		w.value(val, e, join(path, k.Value))
		v.SetMapIndex(reflect.ValueOf(k.Value), e)
	})
}

// list decodes a sequence into the slice v.
func (w *walker) list(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		w.add(path, n.Line, "must be a list, got %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		w.value(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// pairs calls f with each key and value of mapping n as YAML 1.1 merges
// them: n's own keys first, then merged keys n does not have. A key
// written twice in one mapping is a problem; so is a key that is not a
// plain scalar.
func (w *walker) pairs(n *yaml.Node, t reflect.Type, path string, f func(k, v *yaml.Node)) {
	lines := make(map[string]int, len(n.Content)/2)
	var merges []*yaml.Node
	// yaml.v3 gives a mapping's keys and values in pairs: its Content
	// has an even length.
	for i := 0; i < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if !w.spend(k, path) {
			return
		}
		switch {
		case k.Kind == yaml.ScalarNode && k.Tag == "!!merge":
			merges = append(merges, val)
			continue
		case k.Kind != yaml.ScalarNode:
			w.add(path, k.Line, "keys must be plain names, got %s", kindName(k))
			continue
		}
		if first, dup := lines[k.Value]; dup {
			w.add(join(path, k.Value), k.Line, "is already given on line %d; a key may appear once in a mapping", first)
			continue
		}
		lines[k.Value] = k.Line
		f(k, val)
	}
	for _, m := range merges {
		w.merge(m, t, path, lines, f)
	}
}

// merge adds the keys of a merge value (<<: *a, <<: [*a, *b] or an inline
// mapping) that are not in have, earlier mappings first.
func (w *walker) merge(m *yaml.Node, t reflect.Type, path string, have map[string]int, f func(k, v *yaml.Node)) {
	if m.Kind == yaml.SequenceNode {
		for _, e := range m.Content {
			if e.Kind == yaml.SequenceNode {
				w.add(path, e.Line, "merge key << takes mappings or aliases of mappings, got a list inside the list")
				continue
			}
			w.merge(e, t, path, have, f)
		}
		return
	}
	target := m
	if m.Kind == yaml.AliasNode && m.Alias != nil {
		target = m.Alias
		if w.active[target] {
			w.add(path, m.Line, "merge <<: *%s repeats a mapping that contains it; an anchor cannot be used inside itself", m.Value)
			return
		}
	}
	if target.Kind != yaml.MappingNode {
		w.add(path, m.Line, "merge key << takes an alias of a mapping (<<: *defaults) or a list of them (<<: [*a, *b]), got %s", kindName(m))
		return
	}
	quiet := false
	if target.Anchor != "" {
		k := walkKey{target, t}
		quiet = w.walked[k]
		w.walked[k] = true
	}
	if quiet {
		w.quiet++
		defer func() { w.quiet-- }()
	}
	w.active[target] = true
	defer delete(w.active, target)
	w.pairs(target, t, path, func(k, v *yaml.Node) {
		if _, ok := have[k.Value]; ok {
			return // the merging mapping's own (or an earlier merge's) key wins
		}
		have[k.Value] = k.Line
		f(k, v)
	})
}

var wholeNumberRE = regexp.MustCompile(`^[-+]?[0-9_]+$`)

// plain decodes a string, whole number, number or boolean.
func (w *walker) plain(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	if n.Kind != yaml.ScalarNode {
		w.add(path, n.Line, "must be %s, got %s", plainWant(t.Kind()), kindName(n))
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Int:
		w.whole(n, v, path)
	case reflect.Float64:
		w.number(n, v, path)
	case reflect.Bool:
		var b bool
		if n.Tag != "!!bool" || n.Decode(&b) != nil {
			w.add(path, n.Line, "must be true or false, got %s", quote(n.Value))
			return
		}
		v.SetBool(b)
	default:
		panic(fmt.Sprintf("config: decodeShape does not handle %v", t)) // programmer error
	}
}

func plainWant(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Int:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	default:
		return "true or false"
	}
}

// whole decodes an int, naming a whole number too large for it.
func (w *walker) whole(n *yaml.Node, v reflect.Value, path string) {
	var i int64
	if n.Tag == "!!int" && n.Decode(&i) == nil && !v.OverflowInt(i) {
		v.SetInt(i)
		return
	}
	if n.Tag != "!!str" && wholeNumberRE.MatchString(n.Value) {
		w.add(path, n.Line, "%s does not fit: whole numbers here are from %d to %d", quote(n.Value), math.MinInt, math.MaxInt)
		return
	}
	w.add(path, n.Line, "must be a whole number, got %s", quote(n.Value))
}

// number decodes a float64 and refuses NaN and infinities.
func (w *walker) number(n *yaml.Node, v reflect.Value, path string) {
	var f float64
	if (n.Tag == "!!int" || n.Tag == "!!float") && n.Decode(&f) == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			w.add(path, n.Line, "must be a finite number, got %s", quote(n.Value))
			return
		}
		v.SetFloat(f)
		return
	}
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 {
		if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) {
			w.add(path, n.Line, "must be a finite number, got %s (out of range)", quote(n.Value))
			return
		}
	}
	w.add(path, n.Line, "must be a number, got %s", quote(n.Value))
}

// join appends a mapping key to a field path; a key that is not a plain
// name (spaces, line breaks, quotes, over 64 characters) is quoted.
func join(path, key string) string {
	if !plainKeyRE.MatchString(key) {
		key = quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_.:/@+-]{1,64}$`)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "the alias *" + n.Value
	default:
		return quote(n.Value)
	}
}

// maxQuoted is how many characters of an offending value a message quotes.
const maxQuoted = 40

// quote quotes s for a message, cut to maxQuoted characters with an
// ellipsis: a long bad value is named, not echoed in full (a message that
// needs the length says it).
func quote(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		return strconv.Quote(string(r[:maxQuoted]) + "…")
	}
	return strconv.Quote(s)
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
