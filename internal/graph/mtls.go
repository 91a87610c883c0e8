package graph

import (
	"fmt"
	"sort"
)

// classifyScope places a PeerAuthentication at the level Istio applies it
// (semantics.md §1.2). selector: {} counts as no selector.
func classifyScope(pa *PeerAuthentication, root string) Scope {
	switch {
	case !pa.HasSelector && pa.Namespace == root:
		return ScopeMesh
	case !pa.HasSelector:
		return ScopeNamespace
	case pa.Namespace == root:
		return ScopeIgnored
	}
	return ScopeWorkload
}

// ModeDecision is the effective mTLS mode of one workload port and where it
// comes from.
type ModeDecision struct {
	Mode Mode
	// Source is the PeerAuthentication field that set the mode; nil when the
	// mode is the mesh default setting.
	Source *Ref
	Policy *PeerAuthentication
	// Level is "port", "workload", "namespace", "mesh" or "default".
	Level string
	// Ambiguous lists the other policies at the deciding level that Istio
	// might have picked instead (only the oldest applies; §1.3).
	Ambiguous []*PeerAuthentication
	Assumed   string
}

// Explain renders the decision for a message, e.g.
// "STRICT (PeerAuthentication shop/default, namespace-wide)".
func (d ModeDecision) Explain() string {
	var s string
	switch d.Level {
	case "default":
		s = fmt.Sprintf("%s (no PeerAuthentication applies; mesh default)", d.Mode)
	case "port":
		s = fmt.Sprintf("%s (PeerAuthentication %s/%s, portLevelMtls)", d.Mode, d.Policy.Namespace, d.Policy.Name)
	case "workload":
		s = fmt.Sprintf("%s (PeerAuthentication %s/%s, workload selector)", d.Mode, d.Policy.Namespace, d.Policy.Name)
	case "namespace":
		s = fmt.Sprintf("%s (PeerAuthentication %s/%s, namespace-wide)", d.Mode, d.Policy.Namespace, d.Policy.Name)
	case "mesh":
		s = fmt.Sprintf("%s (PeerAuthentication %s/%s, mesh-wide)", d.Mode, d.Policy.Namespace, d.Policy.Name)
	}
	if len(d.Ambiguous) > 0 {
		s += fmt.Sprintf("; %d other policies at that level also apply and Istio uses only the oldest, so this is a best guess", len(d.Ambiguous))
	}
	return s
}

// policiesFor returns the mesh, namespace and workload policy that apply to
// a workload. With several at one level, the one whose name sorts first is
// used (Istio's tie-break when creation times are equal) and the others are
// returned as ambiguous.
func (g *Graph) policiesFor(w *Workload) (mesh, ns, wl *PeerAuthentication, ambiguous map[string][]*PeerAuthentication) {
	ambiguous = map[string][]*PeerAuthentication{}
	pick := func(level string, cands []*PeerAuthentication) *PeerAuthentication {
		if len(cands) == 0 {
			return nil
		}
		sort.SliceStable(cands, func(i, j int) bool {
			if cands[i].Name != cands[j].Name {
				return cands[i].Name < cands[j].Name
			}
			return cands[i].Namespace < cands[j].Namespace
		})
		// The same object rendered twice is one object in the cluster.
		var others []*PeerAuthentication
		seen := map[string]bool{cands[0].Namespace + "/" + cands[0].Name: true}
		for _, c := range cands[1:] {
			if id := c.Namespace + "/" + c.Name; !seen[id] {
				seen[id] = true
				others = append(others, c)
			}
		}
		if len(others) > 0 {
			ambiguous[level] = others
		}
		return cands[0]
	}
	var meshC, nsC, wlC []*PeerAuthentication
	for _, pa := range g.peerAuthsByNS[g.Settings.RootNamespace] {
		if pa.Scope == ScopeMesh {
			meshC = append(meshC, pa)
		}
	}
	pas := g.peerAuthsByNS[w.Namespace]
	for _, i := range g.selection().peerAuthsFor(w) {
		switch pa := pas[i]; pa.Scope {
		case ScopeNamespace:
			nsC = append(nsC, pa)
		case ScopeWorkload:
			if subsetOf(pa.MatchLabels, w.Labels) {
				wlC = append(wlC, pa)
			}
		}
	}
	return pick("mesh", meshC), pick("namespace", nsC), pick("workload", wlC), ambiguous
}

// EffectiveMode resolves the mTLS mode of a workload's port (semantics.md
// §1.4): mesh, then namespace, then workload policy, where UNSET inherits,
// and only the workload policy's portLevelMtls counts. In ambient, DISABLE
// behaves as PERMISSIVE.
func (g *Graph) EffectiveMode(w *Workload, port int) ModeDecision {
	mesh, ns, wl, ambiguous := g.policiesFor(w)
	d := ModeDecision{Mode: g.Settings.MeshDefaultMode, Level: "default"}
	if g.Settings.MeshModeExplicit {
		d.Assumed = fmt.Sprintf("no mesh-wide PeerAuthentication is in the input and --mesh-mtls=%s", g.Settings.MeshDefaultMode)
	}
	if mesh != nil {
		// A mesh policy with UNSET means PERMISSIVE.
		d = ModeDecision{Mode: ModePermissive, Level: "mesh", Policy: mesh, Source: &Ref{mesh.Resource, "/spec"}, Ambiguous: ambiguous["mesh"]}
		if mesh.Mode != ModeUnset {
			d.Mode, d.Source.Pointer = mesh.Mode, mesh.ModePointer
		}
	}
	if ns != nil && ns.Mode != ModeUnset {
		d = ModeDecision{Mode: ns.Mode, Level: "namespace", Policy: ns, Source: &Ref{ns.Resource, ns.ModePointer}, Ambiguous: ambiguous["namespace"]}
	}
	if wl != nil {
		if wl.Mode != ModeUnset {
			d = ModeDecision{Mode: wl.Mode, Level: "workload", Policy: wl, Source: &Ref{wl.Resource, wl.ModePointer}, Ambiguous: ambiguous["workload"]}
		}
		for _, pm := range wl.PortLevel {
			if pm.Port != port {
				continue
			}
			if pm.Mode == ModeUnset {
				// The entry inherits: the policy that decided the workload's
				// mode is still the one that decides this port.
				continue
			}
			d = ModeDecision{Mode: pm.Mode, Level: "port", Policy: wl, Source: &Ref{wl.Resource, pm.Pointer}, Ambiguous: ambiguous["workload"]}
		}
	}
	if w.Injection.Dataplane == DataplaneAmbient && d.Mode == ModeDisable {
		d.Mode = ModePermissive
	}
	return d
}

// SelectedWorkloads lists the workloads a workload-level policy applies to.
func (g *Graph) SelectedWorkloads(pa *PeerAuthentication) []*Workload {
	if pa.Scope != ScopeWorkload {
		return nil
	}
	var out []*Workload
	ws := g.workloadsByNS[pa.Namespace]
	pos, all := g.selection().workloadLabels[pa.Namespace].narrow(pa.MatchLabels, nil)
	if all {
		pos = allPositions(len(ws))
	}
	for _, i := range pos {
		if w := ws[i]; subsetOf(pa.MatchLabels, w.Labels) {
			out = append(out, w)
		}
	}
	return out
}
