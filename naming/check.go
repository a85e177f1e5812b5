package naming

import (
	"fmt"
	"regexp"
)

// Kind is a namespace of names: two resources of one kind may not share a
// name in an account and region.
type Kind struct {
	// What is the kind as messages say it: "alarm name".
	What string
	// Max is the longest name allowed.
	Max int
	// Charset matches a valid name; Valid describes it.
	Charset *regexp.Regexp
	Valid   string
}

// The kinds of names sagesize creates. Alarm names (composites included)
// share one namespace.
var (
	AlarmKind = Kind{What: "alarm name", Max: MaxAlarmName,
		Charset: regexp.MustCompile(`^[\x20-\x7e]+$`), Valid: "printable ASCII"}
	DashboardKind = Kind{What: "dashboard name", Max: MaxDashboardName,
		Charset: regexp.MustCompile(`^[A-Za-z0-9_-]+$`), Valid: "letters, digits, hyphens and underscores"}
	LifecycleConfigKind = Kind{What: "lifecycle configuration name", Max: MaxLifecycleConfigName,
		Charset: regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`), Valid: "letters, digits and hyphens, starting and ending with a letter or digit"}
)

// Owner is the config entry a derived name comes from: its path
// (endpoints[0].variants[1]) and what it is (churn, variant gpu-a), or a
// fixed resource of the app (the fleet overview dashboard) with no path.
type Owner struct {
	Path, What string
}

// String is "path (what)", or what alone without a path.
func (o Owner) String() string {
	if o.Path == "" {
		return o.What
	}
	return o.Path + " (" + o.What + ")"
}

// Problem is a derived name that is too long, has a character its kind
// does not allow, or collides with another's; Path is the config entry's.
type Problem struct {
	Path, Msg string
}

// Checker collects derived names and reports every problem with them.
type Checker struct {
	seen     map[*Kind]map[string]Owner
	reported map[[2]Owner]bool
	problems []Problem
}

// NewChecker returns an empty checker.
func NewChecker() *Checker {
	return &Checker{seen: map[*Kind]map[string]Owner{}, reported: map[[2]Owner]bool{}}
}

// Add records that owner makes name, of kind k, and notes what is wrong
// with it: too long, a bad character, or a name another owner makes too
// (the message names both). Each owner's first too long or badly
// formed name of a kind is reported, and a collision is reported once per pair of
// owners, for the first name they share.
func (c *Checker) Add(k *Kind, name string, owner Owner) {
	once := [2]Owner{owner, {What: k.What}}
	if len(name) > k.Max && !c.reported[once] {
		c.reported[once] = true
		c.problem(owner, "makes %s %q of %d characters; %d is the most allowed: shorten project, release or the names in it", k.What, name, len(name), k.Max)
	} else if !k.Charset.MatchString(name) && !c.reported[once] {
		c.reported[once] = true
		c.problem(owner, "makes %s %q, which may hold only %s", k.What, name, k.Valid)
	}
	names := c.seen[k]
	if names == nil {
		names = map[string]Owner{}
		c.seen[k] = names
	}
	prev, dup := names[name]
	if !dup {
		names[name] = owner
		return
	}
	if prev == owner || c.reported[[2]Owner{prev, owner}] {
		return
	}
	c.reported[[2]Owner{prev, owner}] = true
	fix := "rename one of them"
	if prev.Path == "" {
		fix = "rename it"
	}
	c.problem(owner, "makes %s %q, which %s also makes: %s", k.What, name, prev, fix)
}

func (c *Checker) problem(o Owner, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: o.Path, Msg: o.What + " " + fmt.Sprintf(format, args...)})
}

// Problems are the problems found so far, in the order names were added.
func (c *Checker) Problems() []Problem { return c.problems }
