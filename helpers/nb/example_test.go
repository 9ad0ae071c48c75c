package nb_test

import (
	"fmt"

	"github.com/gotl/gotl/helpers/nb"
)

func ExampleTableHTML() {
	fmt.Println(nb.TableHTML([]string{"class", "accuracy"}, [][]string{{"daisy", "0.91"}, {"<rose>", "0.87"}}))
	// Output:
	// <table>
	// <thead><tr><th style="text-align:left">class</th><th style="text-align:right">accuracy</th></tr></thead>
	// <tbody>
	// <tr><td style="text-align:left">daisy</td><td style="text-align:right">0.91</td></tr>
	// <tr><td style="text-align:left">&lt;rose&gt;</td><td style="text-align:right">0.87</td></tr>
	// </tbody>
	// </table>
}

// Outside a browser-driven notebook (here: go test), a Step button delivers
// scripted clicks and sliders keep their initial values, so the same cell
// runs in CI.
func ExampleNewButton() {
	step := nb.NewButton("Step")
	momentum, err := nb.NewSlider("momentum", 0, 0.99, 0.9)
	if err != nil {
		fmt.Println(err)
		return
	}
	for n := range step.Clicks(3) {
		fmt.Printf("step %d with momentum %.2f (interactive: %v)\n", n, momentum.Value(), step.Interactive())
	}
	// Output:
	// step 1 with momentum 0.90 (interactive: false)
	// step 2 with momentum 0.90 (interactive: false)
	// step 3 with momentum 0.90 (interactive: false)
}
