// Package progress is how gotl's long-running code reports progress
// without knowing where it is shown: a hook, not an import.
//
// Compute packages (bottleneck extraction, retrain and fine-tune training
// loops, downloads) take a Reporter and start one Task per piece of long
// work; they never draw anything themselves. The display decides how a task
// looks: helpers/nb's Bars draws each task as a progress bar that updates in
// place in a notebook and on a terminal, and prints sparse plain lines in
// logs. A nil Reporter shows nothing, so tests and libraries stay quiet by
// default.
//
//	ex := &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache,
//		Progress: nb.Bars} // a bar while bottlenecks are computed
//
// Writing a Reporter is how a program shows progress its own way (a log
// line per task, a metric, a test that counts steps):
//
//	type logReporter struct{}
//	func (logReporter) Start(label string, total int) progress.Task { … }
package progress

// Reporter starts tasks whose progress it shows.
type Reporter interface {
	// Start begins a task of total units (total ≤ 0: unknown) labelled
	// label ("bottlenecks", "retrain"). The caller reports on the returned
	// Task and calls its Done when the work ends, successfully or not.
	Start(label string, total int) Task
}

// Task is one piece of long work being reported. Its methods may be called
// from several goroutines; calls after Done are ignored.
type Task interface {
	// Add records n more units done.
	Add(n int)
	// SetMessage sets a short text shown with the progress, typically the
	// latest metrics ("train 92.0% validation 90.5% cross-entropy 0.2412").
	SetMessage(msg string)
	// Done ends the task.
	Done()
}

// Start is r.Start(label, total), or a Task that does nothing when r is nil.
func Start(r Reporter, label string, total int) Task {
	if r == nil {
		return silent{}
	}
	return r.Start(label, total)
}

type silent struct{}

func (silent) Add(int)           {}
func (silent) SetMessage(string) {}
func (silent) Done()             {}
