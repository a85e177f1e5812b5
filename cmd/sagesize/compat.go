package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// dashLongFlags rewrites the single-dash long flags of earlier versions,
// which used Go's flag package (-config f.yaml, -slo=p99:150ms), to the
// double-dash form cobra parses (--config f.yaml, --slo=p99:150ms). An
// argument is rewritten only when its name is a long flag of the command
// that args run, and only before a "--" terminator; a flag's value is never
// rewritten (--test-id -x keeps -x). A single-dash word that is neither a
// long flag nor a run of shorthands is rewritten too, so that pflag's error
// names it as the mistyped long flag it is. The result is never nil.
func dashLongFlags(root *cobra.Command, args []string) []string {
	out := make([]string, 0, len(args))
	cmd := root
	isValue := false // args[i] is the value of the flag before it
	for i, a := range args {
		switch {
		case isValue:
			isValue = false
		case a == "--":
			return append(out, args[i:]...)
		case strings.HasPrefix(a, "--"):
			isValue = needsValue(lookupFlag(cmd, a[2:]), a[2:])
		case len(a) == 2 && a[0] == '-':
			f := lookupShorthand(cmd, a[1:])
			isValue = f != nil && f.NoOptDefVal == ""
		case len(a) > 2 && a[0] == '-':
			if f := lookupFlag(cmd, a[1:]); f != nil {
				a = "-" + a
				isValue = needsValue(f, a[2:])
			} else if lookupShorthand(cmd, a[1:2]) == nil {
				// Not shorthands either: pflag refuses it whatever the
				// form, and "unknown flag: --endpiont" says it better.
				a = "-" + a
			}
		default:
			if sub := subcommand(cmd, a); sub != nil {
				cmd = sub
			}
		}
		out = append(out, a)
	}
	return out
}

// lookupFlag finds the long flag that arg ("name" or "name=value") names
// among cmd's own and inherited flags.
func lookupFlag(cmd *cobra.Command, arg string) *pflag.Flag {
	name, _, _ := strings.Cut(arg, "=")
	if f := cmd.Flags().Lookup(name); f != nil {
		return f
	}
	return cmd.InheritedFlags().Lookup(name)
}

// lookupShorthand finds the flag whose one-letter shorthand is c among
// cmd's own and inherited flags.
func lookupShorthand(cmd *cobra.Command, c string) *pflag.Flag {
	if f := cmd.Flags().ShorthandLookup(c); f != nil {
		return f
	}
	return cmd.InheritedFlags().ShorthandLookup(c)
}

// needsValue reports whether the argument after flag f, given as arg
// ("name" or "name=value"), is its value.
func needsValue(f *pflag.Flag, arg string) bool {
	return f != nil && f.NoOptDefVal == "" && !strings.Contains(arg, "=")
}

// subcommand is cmd's subcommand called name, or nil.
func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}
