package dataset_test

import (
	"fmt"

	"github.com/gotl/gotl/helpers/dataset"
)

// The split of an image depends only on its path string, as in retrain.py.
func ExampleSplitOf() {
	for _, p := range []string{
		"flower_photos/daisy/100080576_f52e8ee070_n.jpg",
		"flower_photos/roses/12240303_80d87f77a3_n.jpg",
	} {
		fmt.Printf("%.3f%% %v\n", dataset.HashPercentage(p), dataset.SplitOf(p, 10, 10))
	}
	// Output:
	// 64.654% training
	// 7.044% validation
}

func ExampleSynthetic() {
	set, err := dataset.Synthetic(dataset.SyntheticOptions{Classes: 3, PerClass: 2, Height: 24, Width: 24, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(set.Classes, len(set.Images), set.Names[5])
	// Output: [red_disc green_square blue_hstripes] 6 blue_hstripes/blue_hstripes_0001.png
}
