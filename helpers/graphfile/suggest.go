package graphfile

import (
	"sort"
	"strings"
)

// Suggest returns up to max names from candidates that are close to name:
// those containing it (or contained in it) first, then those within a small
// edit distance, nearest first. It helps "no such tensor" errors point at
// what the user meant.
func Suggest(name string, candidates []string, max int) []string {
	type scored struct {
		s    string
		dist int
	}
	lname := strings.ToLower(name)
	limit := len(name)/3 + 2
	var hits []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		switch {
		case lc == lname:
			hits = append(hits, scored{c, -2})
		case lname != "" && (strings.Contains(lc, lname) || strings.Contains(lname, lc)):
			hits = append(hits, scored{c, -1})
		default:
			if d := editDistance(lname, lc, limit); d <= limit {
				hits = append(hits, scored{c, d})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].dist != hits[j].dist {
			return hits[i].dist < hits[j].dist
		}
		return len(hits[i].s) < len(hits[j].s)
	})
	var out []string
	for i := 0; i < len(hits) && i < max; i++ {
		out = append(out, hits[i].s)
	}
	return out
}

// suggestSuffix formats Suggest's result for an error message.
func suggestSuffix(name string, candidates []string) string {
	s := Suggest(name, candidates, 3)
	if len(s) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(quoteAll(s), ", ") + "?)"
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = `"` + x + `"`
	}
	return out
}

// editDistance is the Levenshtein distance of a and b, or limit+1 as soon
// as it is known to exceed limit (names can be long; most are far apart).
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
