// Command testreport turns "go test -json" output into what "make test"
// prints: one line per package as it finishes (ok/FAIL with its time), the
// full output of every failed test, and at the end a summary: the lines
// tests marked for the report (see ReportMarker), the skipped tests counted
// by reason, and the totals. It exits with status 1 if a test or a build
// failed, or if the input ended before every package finished.
//
//	go test -json ./... | go run ./tools/testreport
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ReportMarker starts a test log line meant for the summary, e.g.
// "[report] executed notebooks: /tmp/gotl-notebooks-out-123".
const ReportMarker = "[report] "

// event is one line of go test -json (cmd/test2json), build events included.
type event struct {
	Time       time.Time
	Action     string
	Package    string
	ImportPath string // build-output, build-fail
	Test       string
	Elapsed    float64
	Output     string
	// FailedBuild is set on a package's "fail" when the package did not
	// build: the import path of the build that failed, which the stream
	// has already reported with a build-fail event ("pkg [pkg.test]" when
	// the package's own test binary failed to build).
	FailedBuild string
}

func main() {
	r := newReport(os.Stdout)
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	if !r.summary() {
		os.Exit(1)
	}
}

type testKey struct{ pkg, test string }

type report struct {
	out      io.Writer
	output   map[testKey][]string // output lines per test ("" test: package level)
	build    map[string][]string  // build output per import path
	started  map[string]bool
	finished map[string]bool
	failed   []string // packages or tests that failed, in order
	skips    []skip
	reports  []string
	passed   int
	noTests  int
	// failedTests counts failed tests; failed also lists packages.
	failedTests int
}

type skip struct {
	pkg, test, reason string
}

func newReport(out io.Writer) *report {
	return &report{out: out, output: map[testKey][]string{}, build: map[string][]string{},
		started: map[string]bool{}, finished: map[string]bool{}}
}

func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not JSON (e.g. "go: downloading …" or a vet message): pass it on.
			fmt.Fprintln(r.out, string(line))
			continue
		}
		r.handle(e)
	}
	return sc.Err()
}

func (r *report) handle(e event) {
	switch e.Action {
	case "build-output":
		r.build[e.ImportPath] = append(r.build[e.ImportPath], e.Output)
		return
	case "build-fail":
		fmt.Fprintf(r.out, "FAIL\t%s [build failed]\n%s", e.ImportPath, strings.Join(r.build[e.ImportPath], ""))
		r.failed = append(r.failed, e.ImportPath+" (build)")
		return
	case "start":
		r.started[e.Package] = true
		return
	}
	key := testKey{e.Package, e.Test}
	switch e.Action {
	case "output":
		r.output[key] = append(r.output[key], e.Output)
		if i := strings.Index(e.Output, ReportMarker); i >= 0 {
			r.reports = append(r.reports, strings.TrimSpace(e.Output[i+len(ReportMarker):]))
		}
	case "pass":
		if e.Test == "" {
			r.finishPackage(e, "ok")
		} else {
			r.passed++
		}
		delete(r.output, key)
	case "skip":
		if e.Test == "" {
			r.finishPackage(e, "skip")
		} else {
			r.skips = append(r.skips, skip{e.Package, e.Test, skipReason(r.output[key])})
		}
		delete(r.output, key)
	case "fail":
		if e.Test == "" {
			r.finishPackage(e, "FAIL")
		} else {
			r.failed = append(r.failed, e.Package+" "+e.Test)
			r.failedTests++
			fmt.Fprintf(r.out, "--- FAIL: %s %s (%.1fs)\n%s", e.Package, e.Test, e.Elapsed, indent(r.output[key]))
		}
		delete(r.output, key)
	}
}

func (r *report) finishPackage(e event, status string) {
	r.finished[e.Package] = true
	lines := r.output[testKey{e.Package, ""}]
	text := strings.Join(lines, "")
	switch {
	case strings.Contains(text, "[no test files]"):
		r.noTests++
		return
	case status == "FAIL" && e.FailedBuild != "":
		// The build-fail event printed the build output already.
		if ownBuild(e.Package, e.FailedBuild) {
			return // counted there as "pkg (build)"
		}
		r.failed = append(r.failed, e.Package)
		fmt.Fprintf(r.out, "FAIL\t%s [build failed: %s]\n", e.Package, e.FailedBuild)
	case status == "FAIL":
		r.failed = append(r.failed, e.Package)
		fmt.Fprintf(r.out, "FAIL\t%s\t%.1fs\n", e.Package, e.Elapsed)
		// Package-level output (a panic, TestMain, a timeout) explains it.
		if extra := packageNoise(lines); extra != "" {
			fmt.Fprint(r.out, indent(strings.SplitAfter(extra, "\n")))
		}
	default:
		fmt.Fprintf(r.out, "%s\t%s\t%.1fs\n", status, e.Package, e.Elapsed)
	}
}

// ownBuild reports whether the failed build is pkg itself or its test
// binary ("pkg [pkg.test]"), not one of its dependencies.
func ownBuild(pkg, failedBuild string) bool {
	return failedBuild == pkg || strings.HasPrefix(failedBuild, pkg+" [")
}

// packageNoise drops go test's own summary lines from package output.
func packageNoise(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "PASS" || t == "FAIL" || strings.HasPrefix(t, "ok ") || strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "coverage:") {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

var fileLineRE = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: `)

// skipReason extracts the message of t.Skip from a skipped test's output.
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimRight(l, "\n")
		if strings.HasPrefix(strings.TrimSpace(t), "=== ") || strings.HasPrefix(strings.TrimSpace(t), "--- SKIP") {
			continue
		}
		if loc := fileLineRE.FindString(t); loc != "" {
			msg = append(msg, strings.TrimSpace(t[len(loc):]))
		} else if len(msg) > 0 && strings.TrimSpace(t) != "" {
			msg = append(msg, strings.TrimSpace(t))
		}
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return msg[len(msg)-1]
}

func indent(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- FAIL") || strings.HasPrefix(t, "--- PASS") {
			continue
		}
		for i := 0; i < 4 && strings.HasPrefix(l, " "); i++ {
			l = l[1:]
		}
		b.WriteString("    " + l)
		if !strings.HasSuffix(l, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// pathRE finds file paths, so that skips differing only in the file they
// missed are counted together.
var pathRE = regexp.MustCompile(`(/[^\s:()"']+)+`)

// summary prints the report's end and reports whether everything passed.
func (r *report) summary() bool {
	fmt.Fprintln(r.out)
	if len(r.reports) > 0 {
		fmt.Fprintln(r.out, "Report:")
		for _, l := range r.reports {
			fmt.Fprintln(r.out, "  "+l)
		}
	}
	if len(r.skips) > 0 {
		type group struct {
			reason string
			tests  []string
		}
		groups := map[string]*group{}
		for _, s := range r.skips {
			key := pathRE.ReplaceAllString(s.reason, "…")
			g := groups[key]
			if g == nil {
				g = &group{reason: key}
				groups[key] = g
			}
			g.tests = append(g.tests, shortPkg(s.pkg)+"."+s.test)
		}
		var list []*group
		for _, g := range groups {
			list = append(list, g)
		}
		sort.Slice(list, func(i, j int) bool {
			if len(list[i].tests) != len(list[j].tests) {
				return len(list[i].tests) > len(list[j].tests)
			}
			return list[i].reason < list[j].reason
		})
		fmt.Fprintf(r.out, "Skipped: %d tests, by reason:\n", len(r.skips))
		for _, g := range list {
			example := g.tests[0]
			if len(g.tests) > 1 {
				example += fmt.Sprintf(", … (%d tests)", len(g.tests))
			}
			fmt.Fprintf(r.out, "  %3d  %s\n       e.g. %s\n", len(g.tests), clip(g.reason, 200), example)
		}
	}
	var unfinished []string
	for p := range r.started {
		if !r.finished[p] {
			unfinished = append(unfinished, p)
		}
	}
	sort.Strings(unfinished)
	fmt.Fprintf(r.out, "Totals: %d tests passed, %d skipped, %d failed; %d packages failed, %d without tests\n",
		r.passed, len(r.skips), r.failedTests, len(r.failed)-r.failedTests, r.noTests)
	for _, p := range unfinished {
		fmt.Fprintf(r.out, "FAIL\t%s: no result (the test binary was killed or the output was cut)\n", p)
	}
	if len(r.failed) > 0 {
		fmt.Fprintln(r.out, "FAILED:")
		for _, f := range r.failed {
			fmt.Fprintln(r.out, "  "+f)
		}
	}
	return len(r.failed) == 0 && len(unfinished) == 0
}

func shortPkg(p string) string { return strings.TrimPrefix(p, "github.com/gotl/gotl/") }

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
