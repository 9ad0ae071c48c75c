package util

// WalkAncestors visits roots and every node they depend on: visit is called
// once per node, and calls follow for each input of that node the walk
// should go on to (a data input, say, but not a control input, or not past
// a fed tensor). Nodes are visited depth first, most recently followed
// first, with an explicit stack instead of recursion, in O(nodes + edges)
// time, so arbitrarily long chains neither overflow the stack nor cost
// quadratic time. It returns the set of visited nodes.
func WalkAncestors(roots []string, visit func(node string, follow func(input string))) map[string]bool {
	seen := make(map[string]bool)
	stack := append([]string(nil), roots...)
	follow := func(input string) {
		if !seen[input] {
			stack = append(stack, input)
		}
	}
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[node] {
			continue
		}
		seen[node] = true
		visit(node, follow)
	}
	return seen
}
