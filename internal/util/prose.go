package util

import "strings"

// JoinAnd lists items as English does: "A", "A and B", "A, B and C"; ""
// for none. Generated notebook text names groups of optimizers and methods
// with it.
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Plural returns one when n is 1, else many: Plural(n, "image", "images").
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
