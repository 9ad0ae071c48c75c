package util

// FirstNonFinite returns the index of the first NaN or ±Inf in v, or -1.
// Training code checks its inputs and weights with it: one NaN makes every
// weight NaN within a step.
func FirstNonFinite(v []float32) int {
	for i, x := range v {
		if x-x != 0 { // NaN - NaN and Inf - Inf are NaN; finite x - x is 0
			return i
		}
	}
	return -1
}
