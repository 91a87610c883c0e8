package graph

import "fmt"

// safeAdd adds one resource to the graph, turning a panic (a bug in
// meshlint, never an expected condition) into a problem of that resource
// marked internal, so the other resources are still resolved and linted and
// the run can name the file that triggered it.
func (g *Graph) safeAdd(r *Resource) (ferr *fieldError, internal bool) {
	defer func() {
		if p := recover(); p != nil {
			ferr = &fieldError{"", fmt.Sprintf("internal error while reading this resource (please report it): %v", p)}
			internal = true
		}
	}()
	return g.add(r), false
}
