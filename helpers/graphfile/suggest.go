package graphfile

import (
	"sort"
	"strings"

	"github.com/gotl/gotl/internal/util"
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
			if d := util.EditDistance(lname, lc, limit); d <= limit {
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
