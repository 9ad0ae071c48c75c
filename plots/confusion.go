package plots

import "errors"

// ConfusionMatrix draws counts[t][p] (examples of true class t predicted as
// class p) as a grid of cells coloured by the row-normalised value, so each
// row shows where one class's examples went, with the count written in each
// cell. Rows (true classes) run top to bottom, columns (predicted) left to
// right, both labelled with classNames. The title reports the accuracy.
//
// It returns an error if counts is empty or not square, its size differs
// from len(classNames), or a count is negative.
func ConfusionMatrix(counts [][]int, classNames []string) (*Chart, error) {
	return nil, errors.New("plots: ConfusionMatrix: not implemented yet")
}

// ConfusionMatrixFromLabels counts (trueLabels[i], predicted[i]) pairs and
// draws them with ConfusionMatrix. Labels index classNames.
//
// It returns an error if the slices differ in length, are empty, or hold a
// label outside [0, len(classNames)).
func ConfusionMatrixFromLabels(trueLabels, predicted []int, classNames []string) (*Chart, error) {
	return nil, errors.New("plots: ConfusionMatrixFromLabels: not implemented yet")
}
