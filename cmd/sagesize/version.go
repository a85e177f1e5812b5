package main

import (
	"runtime/debug"
	"strings"
)

// version is this binary's version, from the build information the go
// command embeds.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(info)
}

// versionOf formats info as the main module's version ("(devel)" when the
// go command did not stamp one), followed by the git commit, its time and
// "modified" when the build recorded them (not with -buildvcs=false).
func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	set := map[string]string{}
	for _, s := range info.Settings {
		set[s.Key] = s.Value
	}
	var vcs []string
	if r := set["vcs.revision"]; r != "" {
		vcs = append(vcs, "commit "+r)
	}
	if t := set["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if set["vcs.modified"] == "true" {
		vcs = append(vcs, "modified")
	}
	if len(vcs) == 0 {
		return v
	}
	return v + " (" + strings.Join(vcs, ", ") + ")"
}
