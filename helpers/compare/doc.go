// Package compare runs gotl's two transfer-learning recipes side by side on
// one task and says what the numbers show: notebook 04
// (notebooks/04_retrain_vs_finetune.ipynb) and its script form,
// tools/compare, are built on it and keep the same records.
//
// The task is TinyNet's (helpers/zoo): learn the four synthetic classes it
// never saw. For every seed, an Experiment writes a fresh image folder
// (dataset.WriteSyntheticClasses; the seed draws the images, the initial
// weights and the batches), split by retrain.py's path hash, and runs the
// methods of Settings.Plan on it:
//
//   - retrain: TinyNet's bottlenecks, computed once and cached
//     (helpers/bottleneck), and a new softmax layer trained on them
//     (helpers/retrain), for Settings.Steps and, to see whether more
//     training would help, for LongRetrainSteps;
//   - fine-tune: TinyNet with a new softmax on top, every layer trained
//     (helpers/finetune), and only its top TopLayers layers.
//
// Every run is a Record (a train.Run with its seed and CPU time), saved as
// JSON so that notebook cells, each a separate process, can read what
// earlier cells trained. Summarize pools a method's seeds: test accuracy
// with its 95% Wilson interval, mean and spread of timings (helpers/stats).
// Conclusion writes the comparison in sentences computed from the
// summaries, and says when a difference is within noise.
//
//	e := &compare.Experiment{Settings: compare.CPUSettings, Dir: dir, Progress: nb.Bars}
//	if err := e.Prepare(); err != nil { … }           // images of every seed
//	for _, m := range e.Settings.Plan() {
//		records, err := e.RunSeeds(m.ID)              // every seed, trained and saved
//		…
//	}
//	sums, err := e.Summaries()
//	fmt.Println(compare.Conclusion(backend, e.Settings, sums))
package compare
