package main

import (
	"regexp"
	"strings"
)

// command is what a go command line is, for the shim.
type command int

const (
	other     command = iota
	cellBuild         // go build … or go test -c …
	bareGet           // go get [-t], no packages
)

// classify tells GoNB's cell commands from the rest.
func classify(args []string) command {
	if len(args) == 0 {
		return other
	}
	switch args[0] {
	case "build":
		return cellBuild
	case "test":
		for _, a := range args[1:] {
			if a == "-c" || a == "--c" {
				return cellBuild
			}
		}
	case "get":
		for _, a := range args[1:] {
			if a != "-t" && a != "--t" {
				return other
			}
		}
		return bareGet
	}
	return other
}

// noDWARF is the -gcflags the shim builds cells with. The link drops
// debug information anyway (-w), so compiling none saves writing it into
// every package archive and the linker reading it back: a tenth of a model
// cell's build. It comes first, so a -gcflags of the cell's own wins for
// the packages it names. gotl install warms the build cache with the same
// flag (kernel.FastBuildGCFlags).
const noDWARF = "-gcflags=all=-dwarf=false"

// fastArgs adds -tags=noxla (merged into a -tags flag already given),
// -ldflags='-s -w' (unless -ldflags is given) and noDWARF right after the
// subcommand.
func fastArgs(args []string) []string {
	out := []string{args[0]}
	rest := args[1:]
	tagged, linkFlags := false, false
	var kept []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		name = strings.TrimPrefix(name, "-")
		switch name {
		case "tags":
			if !hasValue && i+1 < len(rest) {
				value = rest[i+1]
				i++
			}
			kept = append(kept, "-tags="+joinTags(value, "noxla"))
			tagged = true
			continue
		case "ldflags":
			linkFlags = true
		}
		kept = append(kept, a)
	}
	if !tagged {
		out = append(out, "-tags=noxla")
	}
	if !linkFlags {
		out = append(out, "-ldflags=-s -w")
	}
	out = append(out, noDWARF)
	return append(out, kept...)
}

// joinTags adds tag to a comma- (or space-) separated tag list.
func joinTags(list, tag string) string {
	tags := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' })
	for _, t := range tags {
		if t == tag {
			return strings.Join(tags, ",")
		}
	}
	return strings.Join(append(tags, tag), ",")
}

// getArgs is the "go get" GoNB would have run before this build.
func getArgs(buildArgs []string) []string {
	if buildArgs[0] == "test" {
		return []string{"get", "-t"}
	}
	return []string{"get"}
}

var (
	// missingModuleRE matches the go command's messages for imports that
	// need a module the main module does not require yet.
	missingModuleRE = regexp.MustCompile(`to add it:\s+go get|no required module provides package|missing go\.sum entry|` +
		`cannot find module providing package|updates to go\.mod needed|go: go\.mod file not found`)
	// cgoRE matches failures of a pure-Go build of a package that needs cgo.
	cgoRE = regexp.MustCompile(`build constraints exclude all Go files|undefined: C\.|requires cgo|cgo: C compiler`)
)

func needsModules(output []byte) bool { return missingModuleRE.Match(output) }
func needsCgo(output []byte) bool     { return cgoRE.Match(output) }
