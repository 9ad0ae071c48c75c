package graphrun

import (
	"fmt"
	"strings"
)

// checkAcyclic refuses a graph whose data and control edges form a cycle,
// as TensorFlow's graph import does ("N nodes in a cycle"): graphrun skips
// control edges when it converts, so without this check a cycle of control
// dependencies ran as if it were not there. Edges from NextIteration into
// Merge close TF1 while loops and are allowed, as in TensorFlow (graphrun
// refuses the loop itself only if the fetches need it). Kahn's algorithm:
// linear in nodes and edges.
func (g *Graph) checkAcyclic() error {
	indegree := make(map[string]int, len(g.def.Node))
	consumers := make(map[string][]string, len(g.def.Node))
	for _, n := range g.def.Node {
		indegree[n.Name] += 0
		for _, s := range n.Input {
			ref, _ := parseInput(s) // validated by FromGraphDef
			if isBackEdge(g, ref.node, n.Op) {
				continue
			}
			indegree[n.Name]++
			consumers[ref.node] = append(consumers[ref.node], n.Name)
		}
	}
	var ready []string
	for _, n := range g.def.Node {
		if indegree[n.Name] == 0 {
			ready = append(ready, n.Name)
		}
	}
	done := 0
	for len(ready) > 0 {
		name := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		done++
		for _, c := range consumers[name] {
			if indegree[c]--; indegree[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	if done == len(g.def.Node) {
		return nil
	}
	return fmt.Errorf("graphrun: the graph has a cycle, %s (each node has the next as an input; ^ marks a control input); %d nodes are in or behind cycles, which TensorFlow refuses too", g.describeCycle(indegree), len(g.def.Node)-done)
}

// isBackEdge reports whether an input from node src into a node of op
// consumerOp closes a while loop (NextIteration → Merge).
func isBackEdge(g *Graph, src, consumerOp string) bool {
	if consumerOp != "Merge" && consumerOp != "RefMerge" {
		return false
	}
	n := g.nodes[src]
	return n != nil && (n.Op == "NextIteration" || n.Op == "RefNextIteration")
}

// describeCycle follows inputs among the nodes Kahn's algorithm could not
// order (indegree > 0) until one repeats, and prints that cycle as written
// in the NodeDefs: "a → ^b → a" means a has the control input ^b and b has
// the input a.
func (g *Graph) describeCycle(indegree map[string]int) string {
	var name string
	for _, n := range g.def.Node {
		if indegree[n.Name] > 0 {
			name = n.Name
			break
		}
	}
	pos := map[string]int{}
	var nodes, written []string // the walk, and each step's input as written
	for {
		if i, seen := pos[name]; seen {
			out := nodes[i]
			for _, w := range written[i:] {
				out += " → " + w
			}
			return out
		}
		pos[name] = len(nodes)
		nodes = append(nodes, name)
		next := ""
		for _, s := range g.nodes[name].Input {
			ref, _ := parseInput(s)
			if indegree[ref.node] > 0 && !isBackEdge(g, ref.node, g.nodes[name].Op) {
				next = ref.node
				written = append(written, s)
				break
			}
		}
		if next == "" { // cannot happen: every unordered node has an unordered input
			return strings.Join(nodes, " → ")
		}
		name = next
	}
}
