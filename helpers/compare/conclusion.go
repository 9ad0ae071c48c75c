package compare

import (
	"fmt"
	"math"
	"strings"

	"github.com/gotl/gotl/helpers/stats"
	"github.com/gotl/gotl/internal/util"
)

// find returns the summary of method id, or nil.
func find(sums []Summary, id string) *Summary {
	for i := range sums {
		if sums[i].Method == id {
			return &sums[i]
		}
	}
	return nil
}

// accuracy writes a pooled test accuracy with its interval: "96.1% (95% CI
// 94.2–97.4%)".
func accuracy(s *Summary) string {
	return fmt.Sprintf("%.1f%% (95%% CI %s)", 100*s.Test.Value(), s.TestInterval.Percent())
}

// difference compares a and b (a minus b) on their seeds.
func difference(a, b *Summary) (stats.Difference, string) {
	d, err := stats.Compare(a.TestPerSeed, b.TestPerSeed)
	if err != nil {
		return d, err.Error()
	}
	return d, d.Points()
}

// Conclusion writes, in Markdown, what the summaries of one experiment
// show: which method was more accurate and whether the difference is
// within noise (stats.Compare over the seeds), whether the long retrain
// closed the gap, what each costs per step and in total, how fine-tuning
// only the top layers compares, and what to do first. Every number and
// every verdict is computed from sums, so the text stays true when the
// settings, the machine or the backend change. Methods that were not run
// are left out.
func Conclusion(backend string, s Settings, sums []Summary) string {
	re, long, ft, top := find(sums, Retrain), find(sums, RetrainLong), find(sums, FineTune), find(sums, FineTuneTop)
	if re == nil || ft == nil {
		var parts []string
		for i := range sums {
			parts = append(parts, sums[i].Name+" "+accuracy(&sums[i]))
		}
		return "The conclusion compares retraining with fine-tuning; only these ran: " + strings.Join(parts, "; ") + "."
	}
	var b strings.Builder
	seeds := len(re.Seeds)
	perSeed := 0
	if seeds > 0 {
		perSeed = re.Test.N / seeds
	}
	fmt.Fprintf(&b, "On %s, over %d %s (each draws new images, initial weights and batches), every method trained for %d steps "+
		"of %d images and was tested on the %d test images of each seed (%d predictions in all):\n\n",
		backend, seeds, util.Plural(seeds, "seed", "seeds"), re.Steps, re.Batch, perSeed, re.Test.N)

	d, ci := difference(ft, re)
	switch {
	case d.WithinNoise():
		fmt.Fprintf(&b, "- **Accuracy:** fine-tuning every layer reached %s on the test split, retraining only the softmax %s. "+
			"The difference (%s) is **within noise**: these runs do not show which method is more accurate.\n", accuracy(ft), accuracy(re), ci)
	case d.Delta > 0:
		fmt.Fprintf(&b, "- **Accuracy:** fine-tuning every layer reached **%s** on the test split, retraining only the softmax %s: "+
			"fine-tuning is ahead by more than noise (%s). It made %.1f mistakes per seed on average, retraining %.1f.\n",
			accuracy(ft), accuracy(re), ci, ft.Mistakes.Mean, re.Mistakes.Mean)
	default:
		fmt.Fprintf(&b, "- **Accuracy:** retraining only the softmax reached **%s** on the test split, fine-tuning every layer %s: "+
			"retraining is ahead by more than noise (%s); with these settings fine-tuning did not pay off.\n", accuracy(re), accuracy(ft), ci)
	}

	aheadOfShort := !d.WithinNoise() && d.Delta > 0
	ftAheadOfRetrain := aheadOfShort
	if long != nil {
		g, gci := difference(long, re)
		fmt.Fprintf(&b, "- **More training:** retraining for %d steps instead of %d reached %s; the change (%s) is ", long.Steps, re.Steps, accuracy(long), gci)
		if g.WithinNoise() {
			b.WriteString("within noise, and ")
		} else {
			b.WriteString("more than noise, and ")
		}
		f, fci := difference(ft, long)
		switch {
		case !f.WithinNoise() && f.Delta > 0:
			fmt.Fprintf(&b, "it stays below fine-tuning by more than noise (%s): %d times more training of the softmax does not close "+
				"the gap, which points at the frozen features as the limit.\n", fci, long.Steps/max(re.Steps, 1))
		case f.WithinNoise():
			fmt.Fprintf(&b, "it is within noise of fine-tuning (%s).\n", fci)
		default:
			fmt.Fprintf(&b, "it is ahead of fine-tuning by more than noise (%s).\n", fci)
		}
		ftAheadOfRetrain = !f.WithinNoise() && f.Delta > 0
	}

	fmt.Fprintf(&b, "- **Speed:** a retrain step took %s, a fine-tuning step %s (mean ± sd over the seeds): about %s slower. "+
		"Including preparation, retraining took %.2f s per seed (%.2f s of it getting the bottlenecks), fine-tuning %.1f s.\n",
		stepTime(re.MsPerStep), stepTime(ft.MsPerStep), times(ft.MsPerStep.Mean/re.MsPerStep.Mean), re.Total.Mean, re.Prep.Mean, ft.Total.Mean)

	topEnough := false
	if top != nil {
		t, tci := difference(top, ft)
		fmt.Fprintf(&b, "- **Top %d layers only:** %s, ", s.TopLayers, accuracy(top))
		switch {
		case t.WithinNoise():
			fmt.Fprintf(&b, "within noise of fine-tuning every layer (%s)", tci)
			topEnough = true
		case t.Delta < 0:
			fmt.Fprintf(&b, "below fine-tuning every layer by more than noise (%s)", tci)
		default:
			fmt.Fprintf(&b, "above fine-tuning every layer by more than noise (%s)", tci)
			topEnough = true
		}
		fmt.Fprintf(&b, ", at %s per step (%s cheaper per step than all layers).\n", stepTime(top.MsPerStep), times(ft.MsPerStep.Mean/top.MsPerStep.Mean))
	}

	b.WriteString("\nRetrain first: it costs one forward pass per image and gives a baseline in seconds. ")
	switch {
	case ftAheadOfRetrain && top != nil && topEnough:
		fmt.Fprintf(&b, "Here fine-tuning bought accuracy the retrained softmax did not reach, by more than noise: the new classes needed "+
			"features TinyNet had not learnt. The top %d layers alone were enough, at a fraction of the cost per step.", s.TopLayers)
	case ftAheadOfRetrain:
		b.WriteString("Here fine-tuning bought accuracy the retrained softmax did not reach, by more than noise: the new classes needed " +
			"features TinyNet had not learnt, and fine-tuning every layer got them, at the price of a forward and backward pass " +
			"through the whole network per image and step: the case where a GPU pays off.")
	case aheadOfShort:
		fmt.Fprintf(&b, "Fine-tuning beat the %d-step retrain by more than noise, but its lead over the %d-step retrain is within noise: "+
			"these runs cannot tell whether training the softmax longer, which costs almost nothing, closes the gap.", re.Steps, long.Steps)
	case !d.WithinNoise() && d.Delta < 0:
		b.WriteString("Here the retrained softmax was more accurate, so fine-tuning's much higher cost per step bought nothing.")
	default:
		b.WriteString("Here the difference in accuracy is within noise, so fine-tuning's much higher cost per step bought no accuracy " +
			"these runs can show; more seeds or more test images would tell smaller differences apart.")
	}
	return b.String()
}

// times writes a ratio to two significant digits: "4000×", "15×", "2.5×".
// A timing ratio of 2001 says no more than "about 2000".
func times(r float64) string {
	if r >= 10 && !math.IsInf(r, 0) {
		unit := math.Pow(10, math.Floor(math.Log10(r))-1)
		return fmt.Sprintf("%.0f×", math.Round(r/unit)*unit)
	}
	return fmt.Sprintf("%.1f×", r)
}
