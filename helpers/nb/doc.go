// Package nb is gotl's notebook display layer: the one place that knows
// whether code runs inside a GoNB (Jupyter) kernel and how to send rich
// output to it.
//
// Notebooks import this package instead of GoNB's gonbui, for two reasons:
// gotl's kernel resolves gotl packages offline through its go.work, while a
// direct gonbui import makes GoNB run "go get" for it (which this project's
// module proxy refuses); and everything here degrades gracefully outside a
// notebook (tests, terminals, CI), where display calls do nothing and
// progress bars print to the terminal.
//
// # Display
//
//	nb.DisplayMarkdown("## Results")
//	nb.DisplayHTML("<b>done</b>")
//	nb.DisplayPNG(pngBytes)   // image/png output
//	nb.DisplaySVG(svgText)    // a real image/svg+xml output
//	nb.DisplayTable([]string{"class", "accuracy"}, rows)
//	nb.DisplayImage(img)      // any image.Image, as PNG
//
// An output that changes while a cell runs is a Cell: it is created on first
// use and replaced in place afterwards.
//
//	status := nb.NewCell()
//	for epoch := range 10 {
//		status.UpdateHTML(fmt.Sprintf("epoch %d", epoch))
//	}
//
// # Errors
//
// Cells stop on the first error with one readable line, not a panic's
// goroutine dump:
//
//	g := nb.Must(graphfile.Load("graph.pb"))
//	nb.Check(os.MkdirAll(dir, 0o755))
//
// # Progress
//
// NewProgress shows a progress bar: in a notebook one HTML output updated in
// place (bar, count, rate, ETA, and a free-form metrics message); in a
// terminal one line rewritten with '\r'; when output is not a terminal (go
// test logs, CI) sparse plain lines: the start, one per 10% (at least a
// second apart), the end, and heartbeats after 5, 10, 20, 40 … seconds of
// silence, so a log stays a few dozen lines long however long the work. Updates are throttled, so Add can be called once
// per item from many goroutines. PrintAbove prints a log line without
// garbling a bar on the terminal.
//
//	p := nb.NewProgress(len(files), "bottlenecks")
//	for _, f := range files {
//		process(f)
//		p.Add(1)
//	}
//	p.Done()
//
// Bars is the progress.Reporter (helpers/progress) that shows the long work
// of gotl's compute packages the same way; they report progress through that
// hook and never import this package:
//
//	ex := &bottleneck.Extractor{Model: model, Preprocess: prep, Cache: cache, Progress: nb.Bars}
//
// # Widgets
//
// NewButton, NewSlider and NewLogSlider wrap GoNB's widgets. A widget needs
// a browser that runs the notebook's JavaScript. When a notebook is executed
// headlessly (nbconvert, CI) no front end can answer, and the widgets fall
// back to scripted behaviour instead of blocking: Button.Clicks delivers a
// given number of synthetic clicks and Slider.Value stays at its initial
// value. The fallback is immediate under nbconvert/nbclient (GoNB has no
// Jupyter kernel id there, so no browser could connect) and after
// WidgetTimeout when a notebook server runs the kernel but no browser
// answers. Interactive reports which mode is in effect; GOTL_WIDGETS=off
// forces the fallback. testdata/fake_frontend.py exercises the interactive
// path against a real kernel by playing the browser's side of the protocol.
//
//	step := nb.NewButton("Step")
//	lr, err := nb.NewLogSlider("learning rate", 1e-4, 1, 0.01)
//	for range step.Clicks(5) { // 5 scripted clicks when headless
//		optimizer.Step(lr.Value())
//	}
//
// GoNB delivers a widget's events only to the cell that is still running:
// a loop over Clicks keeps its cell busy, and under "Run All" every later
// cell waits until the kernel is interrupted. For stepping through work the
// cell can compute up front (an optimizer's steps, say), plots.Replay runs
// in the browser instead and lets the cell end.
//
// Outside a notebook nothing is displayed and widgets are headless at once.
package nb
