package plots

import (
	"errors"
	"image"
)

// Tile is one picture of an image grid.
type Tile struct {
	Image   image.Image
	Caption string
	// Mistake draws the tile with a red frame and caption.
	Mistake bool
}

// ImageGrid lays tiles out in rows of columns pictures (columns ≤ 0 picks a
// near-square grid), each scaled to fit its cell with its aspect ratio kept
// and its caption above it.
//
// It returns an error if there are no tiles or a tile has a nil or empty
// image.
func ImageGrid(tiles []Tile, columns int) (*Chart, error) {
	return nil, errors.New("plots: ImageGrid: not implemented yet")
}

// PredictionGrid is ImageGrid for a classifier's results: each caption reads
// "true / predicted" with class names, and tiles whose prediction is wrong
// are marked in red.
//
// It returns an error if the slices differ in length, are empty, or hold a
// label outside [0, len(classNames)).
func PredictionGrid(images []image.Image, trueLabels, predicted []int, classNames []string, columns int) (*Chart, error) {
	return nil, errors.New("plots: PredictionGrid: not implemented yet")
}
