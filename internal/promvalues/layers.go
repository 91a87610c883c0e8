package promvalues

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/internal/loader"
)

// layer is one values file of a server, in the order Helm's -f takes them.
type layer struct {
	display, text string
	root          map[string]any // nil for an empty file
	locator       *loader.Document
}

// position is the span of the key at pointer in this file, or of its
// nearest parent the file has.
func (l *layer) position(pointer string) loader.Range {
	if l.locator == nil {
		l.locator = loader.Derived(l.display, l.text, "", "", "", "", nil, identity{})
	}
	r, _ := l.locator.Position(pointer)
	return r
}

// mergeLayers lays the values files over each other exactly as `helm -f a
// -f b` does before the chart's defaults are applied (helm's
// pkg/cli/values.mergeMaps): mappings merge key by key, recursively; a list,
// a scalar or a null in a later file replaces what the earlier ones set.
// A null stays in the result, as in Helm, where it then deletes the
// chart's default; meshlint reads a null as unset, which is the same.
func mergeLayers(layers []*layer) map[string]any {
	out := map[string]any{}
	for _, l := range layers {
		out = helmMergeMaps(out, l.root)
	}
	return out
}

func helmMergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = helmMergeMaps(am, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// owner is the layer whose key a finding at pointer (of the merged values)
// belongs on: the last layer that sets that key. Since only mappings merge,
// the last file holding the key is the one whose value survived. A key no
// layer sets (a default meshlint assumes) belongs on its nearest parent
// that the merged values have, in the last layer that sets that parent.
func owner(layers []*layer, merged map[string]any, pointer string) *layer {
	p := pointer
	for p != "" && !exists(merged, p) {
		p = p[:strings.LastIndexByte(p, '/')]
	}
	for i := len(layers) - 1; i >= 0; i-- {
		if layers[i].root != nil && exists(layers[i].root, p) {
			return layers[i]
		}
	}
	return layers[len(layers)-1]
}

// layeredMap is the source map of a Prometheus modelled from several
// values files: the fields are named in the values' own terms, as for one
// file, and located in the file that set them last.
type layeredMap struct {
	*sourceMap
	layers []*layer
}

// Locate implements loader.LayeredSource.
func (m *layeredMap) Locate(pointer string) (string, loader.Range) {
	fp := m.FilePointer(pointer)
	l := owner(m.layers, m.root, fp)
	return l.display, l.position(fp)
}

// Files implements loader.LayeredSource.
func (m *layeredMap) Files() []string {
	out := make([]string, len(m.layers))
	for i, l := range m.layers {
		out[i] = l.display
	}
	return out
}

// layersDisplay names a server's files for its stderr line and errors.
func layersDisplay(layers []*layer) string {
	if len(layers) == 1 {
		return layers[0].display
	}
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.display
	}
	return strings.Join(names, ", ") + " (layered in this order, as helm -f lays them)"
}

// strongShape is the shape a layer's own Prometheus section says it is
// written for, 0 when it has none: a small override (`grafana:` alone,
// `istiod:` alone) fits either chart and is read as the set is.
func strongShape(root map[string]any) Shape {
	if mon, ok := root["monitoring"].(map[string]any); ok && mon["values"] != nil {
		return BigBang
	}
	if up, ok := root["upstream"].(map[string]any); ok && up["prometheus"] != nil {
		return BigBangPackage
	}
	if _, ok := root["prometheus"]; ok {
		return KubePrometheusStack
	}
	return 0
}

// checkShapes refuses a set whose files are values of different charts:
// Helm hands all -f files to one chart, so one of them is misplaced and its
// Prometheus settings would be silently ignored.
func checkShapes(layers []*layer, shape Shape) error {
	for _, l := range layers {
		if s := strongShape(l.root); s != 0 && s != shape {
			other := "the files layered with it are"
			for _, o := range layers {
				if strongShape(o.root) == shape {
					other = o.display + " is"
					break
				}
			}
			return fmt.Errorf("%s is %s but %s %s; files layered into one Prometheus must be values of the same chart "+
				"(list them as separate servers in prometheusValues if they configure different ones)", l.display, s, other, shape)
		}
	}
	return nil
}
