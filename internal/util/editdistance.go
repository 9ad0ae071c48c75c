package util

// maxEditLength bounds the names EditDistance compares letter by letter:
// its cost is the product of the two lengths, and names come from untrusted
// files.
const maxEditLength = 256

// EditDistance is the Levenshtein distance of a and b (byte-wise), or
// limit+1 as soon as it is known to exceed limit: names can be long and
// most are far apart. Names longer than 256 bytes are only compared for
// equality (0, else limit+1).
func EditDistance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	if d := len(a) - len(b); d > limit || -d > limit || len(a) > maxEditLength || len(b) > maxEditLength {
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
	return min(prev[len(b)], limit+1)
}
