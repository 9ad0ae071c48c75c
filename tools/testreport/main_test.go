package main

import (
	"strings"
	"testing"
)

// stream is what go test -json prints for two packages (one passing with a
// report line and two skips for the same reason in different files, one
// failing), a package without tests and one that does not build (the
// build-fail event, then the package's start and fail with FailedBuild, as
// go1.24+ prints them).
const stream = `{"Action":"start","Package":"github.com/gotl/gotl/a"}
{"Action":"run","Package":"github.com/gotl/gotl/a","Test":"TestOK"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestOK","Output":"    a_test.go:9: [report] executed notebooks: /tmp/out-1\n"}
{"Action":"pass","Package":"github.com/gotl/gotl/a","Test":"TestOK","Elapsed":0.5}
{"Action":"run","Package":"github.com/gotl/gotl/a","Test":"TestSkip1"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestSkip1","Output":"=== RUN   TestSkip1\n"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestSkip1","Output":"    tf_test.go:12: TensorFlow test file /x/shared/tfdata/a.pb not found: skipping\n"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestSkip1","Output":"--- SKIP: TestSkip1 (0.00s)\n"}
{"Action":"skip","Package":"github.com/gotl/gotl/a","Test":"TestSkip1","Elapsed":0}
{"Action":"run","Package":"github.com/gotl/gotl/a","Test":"TestSkip2"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestSkip2","Output":"    tf_test.go:12: TensorFlow test file /x/shared/tfdata/b.ckpt not found: skipping\n"}
{"Action":"skip","Package":"github.com/gotl/gotl/a","Test":"TestSkip2","Elapsed":0}
{"Action":"run","Package":"github.com/gotl/gotl/a","Test":"TestShort"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Test":"TestShort","Output":"    a_test.go:30: -short: takes minutes\n"}
{"Action":"skip","Package":"github.com/gotl/gotl/a","Test":"TestShort","Elapsed":0}
{"Action":"output","Package":"github.com/gotl/gotl/a","Output":"PASS\n"}
{"Action":"output","Package":"github.com/gotl/gotl/a","Output":"ok  \tgithub.com/gotl/gotl/a\t1.2s\n"}
{"Action":"pass","Package":"github.com/gotl/gotl/a","Elapsed":1.2}
{"Action":"start","Package":"github.com/gotl/gotl/b"}
{"Action":"run","Package":"github.com/gotl/gotl/b","Test":"TestBad"}
{"Action":"output","Package":"github.com/gotl/gotl/b","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Action":"output","Package":"github.com/gotl/gotl/b","Test":"TestBad","Output":"    b_test.go:5: got 2, want 3\n"}
{"Action":"output","Package":"github.com/gotl/gotl/b","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"github.com/gotl/gotl/b","Test":"TestBad","Elapsed":0.01}
{"Action":"output","Package":"github.com/gotl/gotl/b","Output":"FAIL\n"}
{"Action":"fail","Package":"github.com/gotl/gotl/b","Elapsed":0.3}
{"Action":"start","Package":"github.com/gotl/gotl/c"}
{"Action":"output","Package":"github.com/gotl/gotl/c","Output":"?   \tgithub.com/gotl/gotl/c\t[no test files]\n"}
{"Action":"skip","Package":"github.com/gotl/gotl/c","Elapsed":0}
{"ImportPath":"github.com/gotl/gotl/d","Action":"build-output","Output":"d/d.go:3:1: syntax error\n"}
{"ImportPath":"github.com/gotl/gotl/d","Action":"build-fail"}
{"Action":"start","Package":"github.com/gotl/gotl/d"}
{"Action":"output","Package":"github.com/gotl/gotl/d","Output":"FAIL\tgithub.com/gotl/gotl/d [build failed]\n"}
{"Action":"fail","Package":"github.com/gotl/gotl/d","Elapsed":0,"FailedBuild":"github.com/gotl/gotl/d"}
go: downloading example.com/x v1.0.0
`

func TestReport(t *testing.T) {
	var out strings.Builder
	r := newReport(&out)
	if err := r.read(strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	ok := r.summary()
	got := out.String()
	if ok {
		t.Error("summary reports success despite a failed test and a failed build")
	}
	for _, want := range []string{
		"ok\tgithub.com/gotl/gotl/a\t1.2s\n",
		"--- FAIL: github.com/gotl/gotl/b TestBad (0.0s)\n    b_test.go:5: got 2, want 3\n",
		"FAIL\tgithub.com/gotl/gotl/b\t0.3s\n",
		"FAIL\tgithub.com/gotl/gotl/d [build failed]\nd/d.go:3:1: syntax error\n",
		"go: downloading example.com/x v1.0.0\n",
		"Report:\n  executed notebooks: /tmp/out-1\n",
		"Skipped: 3 tests, by reason:\n",
		"    2  TensorFlow test file … not found: skipping\n       e.g. a.TestSkip1, … (2 tests)\n",
		"    1  -short: takes minutes\n       e.g. a.TestShort\n",
		"Totals: 1 tests passed, 3 skipped, 1 failed; 2 packages failed, 1 without tests\n",
		"FAILED:\n  github.com/gotl/gotl/b TestBad\n  github.com/gotl/gotl/b\n  github.com/gotl/gotl/d (build)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "gotl/c") {
		t.Errorf("a package without tests is listed:\n%s", got)
	}
	if n := strings.Count(got, "FAIL\tgithub.com/gotl/gotl/d"); n != 1 {
		t.Errorf("the build failure of d is reported %d times, want once:\n%s", n, got)
	}
}

// TestReportBuildFailures feeds what go1.26 prints when a test file does not
// compile (bad: the build of "bad [bad.test]" fails) and when a dependency
// does not (dep, and user that imports it).
func TestReportBuildFailures(t *testing.T) {
	var out strings.Builder
	r := newReport(&out)
	r.read(strings.NewReader(`{"ImportPath":"m/bad [m/bad.test]","Action":"build-output","Output":"# m/bad [m/bad.test]\n"}
{"ImportPath":"m/bad [m/bad.test]","Action":"build-output","Output":"bad/bad_test.go:5:33: undefined: undefinedThing\n"}
{"ImportPath":"m/bad [m/bad.test]","Action":"build-fail"}
{"Action":"start","Package":"m/bad"}
{"Action":"output","Package":"m/bad","Output":"FAIL\tm/bad [build failed]\n"}
{"Action":"fail","Package":"m/bad","Elapsed":0,"FailedBuild":"m/bad [m/bad.test]"}
{"ImportPath":"m/dep","Action":"build-output","Output":"# m/dep\n"}
{"ImportPath":"m/dep","Action":"build-output","Output":"dep/dep.go:3:23: undefined: undefinedX\n"}
{"ImportPath":"m/dep","Action":"build-fail"}
{"Action":"start","Package":"m/dep"}
{"Action":"output","Package":"m/dep","Output":"FAIL\tm/dep [build failed]\n"}
{"Action":"fail","Package":"m/dep","Elapsed":0,"FailedBuild":"m/dep"}
{"Action":"start","Package":"m/user"}
{"Action":"output","Package":"m/user","Output":"FAIL\tm/user [build failed]\n"}
{"Action":"fail","Package":"m/user","Elapsed":0,"FailedBuild":"m/dep"}
`))
	if r.summary() {
		t.Error("summary reports success despite failed builds")
	}
	got := out.String()
	for _, want := range []string{
		"FAIL\tm/bad [m/bad.test] [build failed]\n# m/bad [m/bad.test]\nbad/bad_test.go:5:33: undefined: undefinedThing\n",
		"FAIL\tm/dep [build failed]\n# m/dep\ndep/dep.go:3:23: undefined: undefinedX\n",
		"FAIL\tm/user [build failed: m/dep]\n",
		"Totals: 0 tests passed, 0 skipped, 0 failed; 3 packages failed, 0 without tests\n",
		"FAILED:\n  m/bad [m/bad.test] (build)\n  m/dep (build)\n  m/user\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, pkg := range []string{"m/bad", "m/dep", "m/user"} {
		if n := strings.Count(got, "FAIL\t"+pkg+" "); n != 1 {
			t.Errorf("%s has %d FAIL lines, want 1:\n%s", pkg, n, got)
		}
	}
}

func TestReportUnfinishedPackage(t *testing.T) {
	var out strings.Builder
	r := newReport(&out)
	r.read(strings.NewReader(`{"Action":"start","Package":"github.com/gotl/gotl/slow"}` + "\n"))
	if r.summary() || !strings.Contains(out.String(), "FAIL\tgithub.com/gotl/gotl/slow: no result") {
		t.Errorf("a package without a result must fail the run:\n%s", out.String())
	}
}

func TestReportAllPassed(t *testing.T) {
	var out strings.Builder
	r := newReport(&out)
	r.read(strings.NewReader(`{"Action":"start","Package":"p"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Elapsed":0.1}
`))
	if !r.summary() || !strings.Contains(out.String(), "Totals: 1 tests passed, 0 skipped, 0 failed") {
		t.Errorf("all passed:\n%s", out.String())
	}
}
