package graphrun

import "sort"

// Supported returns the TensorFlow op types graphrun converts, sorted.
func Supported() []string {
	out := make([]string, 0, len(ops))
	for op := range ops {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}
