// Package stats puts numbers on how far a result that depends on chance can
// be trusted, for the notebooks' and tools' conclusions:
//
//   - Proportion: an accuracy measured on N test images, K of them right,
//     with its 95% Wilson score interval (E. B. Wilson, "Probable inference,
//     the law of succession, and statistical inference", JASA 22, 1927),
//     which stays inside [0, 1] and is sensible at 0 and 100%, where the
//     textbook p ± 1.96·√(p(1-p)/N) collapses to a point;
//   - Summary: repeated runs of one experiment (one per seed) as their mean,
//     standard deviation, minimum and maximum;
//   - Difference: two methods run on the same seeds and test images, the
//     difference of their accuracies with a 95% interval (Points writes
//     both in percentage points), and WithinNoise, which is what a
//     conclusion must say before it ranks them. Compare is for seeds that
//     each draw their own test images (their counts pool);
//     CompareSameImages for seeds that share one test set, which then
//     counts once.
//
// Every interval is at 95% confidence. An accuracy of 4 mistakes in 76
// images is 94.7% with the interval 87.2–97.9%: a second method at 100% on
// the same 76 images is not yet shown to be better.
//
//	a := stats.Proportion{K: 72, N: 76}
//	fmt.Println(a)                        // 94.7% (72/76; 95% CI 87.2–97.9%)
//	d, _ := stats.Compare([]stats.Proportion{{76, 76}}, []stats.Proportion{a})
//	fmt.Println(d.WithinNoise())          // true: one seed, 76 images
package stats
