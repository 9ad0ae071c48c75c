package plots

import (
	"fmt"
	"math"
)

// checkFinite returns an error naming what (e.g. `series "train"`) and the
// first index whose value is NaN or ±Inf.
func checkFinite(what string, values []float64) error {
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("plots: %s: value %d is %v", what, i, v)
		}
	}
	return nil
}
