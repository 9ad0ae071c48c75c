package progress_test

import (
	"fmt"
	"strings"

	"github.com/gotl/gotl/helpers/progress"
)

// lines is a Reporter that prints one line when a task ends.
type lines struct{ out *strings.Builder }

type lineTask struct {
	out        *strings.Builder
	label, msg string
	done, of   int
}

func (l lines) Start(label string, total int) progress.Task {
	return &lineTask{out: l.out, label: label, of: total}
}
func (t *lineTask) Add(n int)             { t.done += n }
func (t *lineTask) SetMessage(msg string) { t.msg = msg }
func (t *lineTask) Done()                 { fmt.Fprintf(t.out, "%s: %d/%d (%s)\n", t.label, t.done, t.of, t.msg) }

// Code that does long work starts a Task through progress.Start, which
// accepts a nil Reporter (nothing shown).
func work(r progress.Reporter) {
	task := progress.Start(r, "counting", 3)
	defer task.Done()
	for i := 1; i <= 3; i++ {
		task.Add(1)
		task.SetMessage(fmt.Sprintf("last %d", i))
	}
}

func Example() {
	var out strings.Builder
	work(lines{&out}) // shown the program's way
	work(nil)         // shown nowhere
	fmt.Print(out.String())
	// Output:
	// counting: 3/3 (last 3)
}
