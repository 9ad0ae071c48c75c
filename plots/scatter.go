package plots

import "errors"

// Scatter draws 2-D points coloured by class, with one legend entry per
// class named by classNames (labels index it).
//
// It returns an error if points is empty, labels has a different length, a
// label is outside [0, len(classNames)), or a coordinate is NaN or infinite.
func Scatter(title, xLabel, yLabel string, points [][2]float64, labels []int, classNames []string) (*Chart, error) {
	return nil, errors.New("plots: Scatter: not implemented yet")
}

// PCAScatter projects vectors (e.g. bottleneck embeddings, one per example)
// onto their first two principal components (gonum/stat.PC) and draws them
// with Scatter; axis labels give each component's share of the variance.
//
// It returns an error if there are fewer than two vectors, they differ in
// length or have fewer than two dimensions, a value is NaN or infinite,
// labels has a different length, or a label is outside
// [0, len(classNames)).
func PCAScatter(vectors [][]float64, labels []int, classNames []string) (*Chart, error) {
	return nil, errors.New("plots: PCAScatter: not implemented yet")
}
