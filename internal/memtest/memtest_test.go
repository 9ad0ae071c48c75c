package memtest

import (
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

var sink []byte

var cases = []Case{
	{Name: "small", Run: func(_, stderr io.Writer) int {
		fmt.Fprintln(stderr, "refused: too big")
		return 1
	}},
	{Name: "large", Run: func(_, _ io.Writer) int {
		sink = make([]byte, 300<<20)
		for i := range sink {
			sink[i] = 1 // touched, so resident
		}
		return 0
	}},
	{Name: "hang", Timeout: 2 * time.Second, Run: func(_, _ io.Writer) int {
		time.Sleep(time.Hour)
		return 0
	}},
	{Name: "over address space", AddressSpace: 1 << 30, Run: func(_, _ io.Writer) int {
		sink = make([]byte, 2<<30)
		return 0
	}},
}

// The measurement tells a small child from one that touches 300 MB, sees
// its status and stderr, stops a hang, and the address-space backstop stops
// a runaway allocation.
func TestMeasuresTheChild(t *testing.T) {
	if os.Getenv(envCase) != "" {
		Run(t, cases...) // the child: runs its case and exits
		return
	}
	if testing.Short() {
		t.Skip("starts children that allocate 300 MB")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]result{}
	for _, c := range cases {
		r, err := measure(exe, "^"+t.Name()+"$", t.Name()+"/"+c.Name, c)
		if c.Name == "hang" {
			if err == nil {
				t.Errorf("hang: no error after its 2 s timeout")
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		got[c.Name] = r
	}
	if r := got["small"]; r.code != 1 || r.stderr != "refused: too big\n" || r.rss > 64<<20 {
		t.Errorf("small: exit %d, stderr %q, peak RSS %d", r.code, r.stderr, r.rss)
	}
	if r := got["large"]; r.code != 0 || r.rss < 300<<20 || r.rss > 600<<20 {
		t.Errorf("large: exit %d, peak RSS %d, want about 300 MB", r.code, r.rss)
	}
	if r := got["over address space"]; r.code == 0 || r.rss > 256<<20 {
		t.Errorf("over address space: exit %d, peak RSS %d; want a failure before 2 GiB is touched", r.code, r.rss)
	}
}
