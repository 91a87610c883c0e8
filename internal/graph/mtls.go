package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// classifyScope places a PeerAuthentication at the level Istio applies it
// (docs/model.md#peer-authentication-scope). selector: {} counts as no selector.
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
	// might have picked instead (only the oldest applies; docs/model.md#peer-authentication-precedence).
	Ambiguous []*PeerAuthentication
	Assumed   string
	// Note qualifies the decision, e.g. a port entry that had no effect.
	Note string
}

// Explain renders the decision for a message, e.g.
// "STRICT (PeerAuthentication shop/default, namespace-wide)".
func (d ModeDecision) Explain() string {
	// Built for every target of every scrape: by concatenation, not fmt.
	var s string
	if d.Level == "default" {
		s = string(d.Mode) + " (no PeerAuthentication applies; mesh default)"
	} else if how, ok := levelExplained[d.Level]; ok {
		s = string(d.Mode) + " (PeerAuthentication " + d.Policy.Namespace + "/" + d.Policy.Name + ", " + how + ")"
	}
	if d.Note != "" {
		s = strings.TrimSuffix(s, ")") + "; " + d.Note + ")"
	}
	if len(d.Ambiguous) > 0 {
		s += "; " + strconv.Itoa(len(d.Ambiguous)) + " other policies at that level also apply and Istio uses only the oldest, so this is a best guess"
	}
	return s
}

// levelExplained says how a policy of each level reaches the workload.
var levelExplained = map[string]string{"port": "portLevelMtls", "workload": "workload selector", "namespace": "namespace-wide", "mesh": "mesh-wide"}

// policiesFor returns the mesh, namespace and workload policy that apply to
// a workload, each the winner of its level by precedence; when the order
// of a level is not known, the other policies there are returned as
// ambiguous.
func (g *Graph) policiesFor(w *Workload) (mesh, ns, wl *PeerAuthentication, ambiguous map[string][]*PeerAuthentication) {
	pick := func(level string, cands []*PeerAuthentication) *PeerAuthentication {
		if len(cands) == 0 {
			return nil
		}
		ordered, known := precedence(cands)
		if len(ordered) > 1 && !known {
			if ambiguous == nil {
				ambiguous = map[string][]*PeerAuthentication{} // seldom: asked for every target
			}
			ambiguous[level] = ordered[1:]
		}
		return ordered[0]
	}
	var meshC, nsC, wlC []*PeerAuthentication
	for _, pa := range g.peerAuthsByNS[g.Settings.RootNamespace] {
		if pa.Scope == ScopeMesh {
			meshC = append(meshC, pa)
		}
	}
	pas := g.peerAuthsByNS[w.Namespace]
	for _, i := range g.selection().peerAuthsFor(w, len(pas)) {
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

// EffectiveMode resolves the mTLS mode of a workload's port
// (docs/model.md#mtls-mode-resolution): mesh, then namespace, then workload policy, where UNSET inherits,
// and only the workload policy's portLevelMtls counts. In ambient, DISABLE
// behaves as PERMISSIVE.
func (g *Graph) EffectiveMode(w *Workload, port int) ModeDecision {
	mesh, ns, wl, ambiguous := g.policiesFor(w)
	d := ModeDecision{Mode: g.Settings.MeshDefaultMode, Level: "default"}
	d.Assumed = g.meshModeAssumption()
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
			if w.Injection.Dataplane == DataplaneAmbient && ambientIgnoresDisable(wl, pm, d.Mode) {
				d.Note = fmt.Sprintf("the DISABLE entry for port %d in PeerAuthentication %s/%s does not apply in ambient: ztunnel exempts ports of a policy that inherits STRICT only when one of its entries is PERMISSIVE",
					port, wl.Namespace, wl.Name)
				continue
			}
			d = ModeDecision{Mode: pm.Mode, Level: "port", Policy: wl, Source: &Ref{wl.Resource, pm.Pointer}, Ambiguous: ambiguous["workload"]}
		}
	}
	if w.Injection.Dataplane == DataplaneAmbient && d.Mode == ModeDisable {
		d.Mode = ModePermissive
	}
	if a := g.floatingPolicyAssumption(w, port, d); a != "" {
		if d.Assumed != "" {
			a = d.Assumed + "; " + a
		}
		d.Assumed = a
	}
	return d
}

// floatingPolicyAssumption says when a mode decision rests on where a
// PeerAuthentication without metadata.namespace lands. Such a policy is put
// in --namespace, but kubectl apply -n and Helm's release namespace put it
// elsewhere: a decision it made, or one it would change if it landed in the
// workload's own namespace, holds only under that assumption.
func (g *Graph) floatingPolicyAssumption(w *Workload, port int, d ModeDecision) string {
	def := g.Settings.DefaultNamespace
	if d.Policy != nil && !g.explicitNamespace(d.Policy.Resource) {
		return fmt.Sprintf("PeerAuthentication %s/%s has no metadata.namespace and is taken to be in namespace %s (--namespace)",
			d.Policy.Namespace, d.Policy.Name, def)
	}
	if w.Namespace == def {
		return "" // the policies without a namespace were already weighed here
	}
	var out []string
	for _, pa := range g.peerAuthsByNS[def] {
		if g.explicitNamespace(pa.Resource) {
			continue
		}
		if mode, ok := pa.modeIn(w, port, d.Level); ok && mode != d.Mode {
			out = append(out, fmt.Sprintf("PeerAuthentication %s/%s has no metadata.namespace and is taken to be in namespace %s (--namespace); "+
				"in namespace %s it would make this port %s", pa.Namespace, pa.Name, def, w.Namespace, mode))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// modeIn is the mode a policy would give a workload's port if it were in
// the workload's namespace, when it would outrank the level that decided
// (a second policy at the deciding level is a conflict, not a decision).
func (pa *PeerAuthentication) modeIn(w *Workload, port int, decided string) (Mode, bool) {
	switch pa.Scope {
	case ScopeWorkload:
		if decided == "workload" || decided == "port" || !subsetOf(pa.MatchLabels, w.Labels) {
			return "", false
		}
		for _, pm := range pa.PortLevel {
			if pm.Port == port && pm.Mode != ModeUnset {
				return pm.Mode, true
			}
		}
	case ScopeNamespace:
		if decided != "default" && decided != "mesh" {
			return "", false
		}
	default:
		return "", false
	}
	if pa.Mode == ModeUnset {
		return "", false
	}
	return pa.Mode, true
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

// meshModeAssumption names the setting behind the mode a workload gets when
// no mesh-wide PeerAuthentication is in the input: Istio's own default
// (PERMISSIVE, the UNSET mode's meaning in istio/api
// security/v1beta1/peer_authentication.proto), or the mode a flag or the
// config file declares. Every finding that rests on it says so, with the
// setting that changes it, since the real mesh policy may simply live in
// another repository.
func (g *Graph) meshModeAssumption() string {
	if g.frozen {
		return g.meshAssumption // EffectiveMode asks for every target
	}
	root := g.Settings.RootNamespace
	if g.Settings.MeshModeExplicit {
		src := g.Settings.MeshModeSource
		if src == "" {
			src = "--mesh-mtls"
		}
		return fmt.Sprintf("no mesh-wide PeerAuthentication (namespace %s, no selector) is in the input; the mesh is %s as %s declares", root, g.Settings.MeshDefaultMode, src)
	}
	return fmt.Sprintf("no mesh-wide PeerAuthentication (namespace %s, no selector) is in the input, so Istio's default %s applies; if the mesh sets another mode, pass --mesh-mtls or set mesh.defaultMode in .meshlint.yaml", root, g.Settings.MeshDefaultMode)
}

// ambientIgnoresDisable reports whether ztunnel leaves a DISABLE port entry
// STRICT. istiod converts a workload policy whose own mode is UNSET under an
// inherited STRICT mode into an exemption only when some port entry is
// PERMISSIVE; that exemption then covers PERMISSIVE and DISABLE entries alike
// (istio pilot/pkg/serviceregistry/ambient/authorization.go,
// effectivePeerAuthenticationKeys's caller and convertPeerAuthentication).
// With only DISABLE entries the static STRICT policy stays attached.
func ambientIgnoresDisable(wl *PeerAuthentication, pm PortMode, inherited Mode) bool {
	if pm.Mode != ModeDisable || wl.Mode != ModeUnset || inherited != ModeStrict {
		return false
	}
	for _, other := range wl.PortLevel {
		if other.Mode == ModePermissive {
			return false
		}
	}
	return true
}

// precedence is the one tie-break between PeerAuthentications that apply at
// the same level: of several, Istio uses only the oldest. It returns the
// distinct policies oldest first, the same object rendered twice (one
// namespace and name) counted once at its first appearance, and reports
// whether that order is known.
//
// The order is istiod's (pilot/pkg/model/config.go
// configCompareByCreationTime: creation time, then name, then namespace).
// It is known only when every policy comes from a cluster export; otherwise
// the creation times are the apply order, which the input does not show,
// and the name order is only the best guess for policies created in the
// same second. pas is not changed.
func precedence(pas []*PeerAuthentication) (ordered []*PeerAuthentication, known bool) {
	if len(pas) == 1 {
		return pas, pas[0].FromCluster
	}
	seen := make(map[string]bool, len(pas))
	ordered = make([]*PeerAuthentication, 0, len(pas))
	for _, pa := range pas {
		if id := pa.Namespace + "/" + pa.Name; !seen[id] {
			seen[id] = true
			ordered = append(ordered, pa)
		}
	}
	known = true
	for _, pa := range ordered {
		known = known && pa.FromCluster
	}
	sort.SliceStable(ordered, func(i, j int) bool {
		if known && !ordered[i].Created.Equal(ordered[j].Created) {
			return ordered[i].Created.Before(ordered[j].Created)
		}
		if ordered[i].Name != ordered[j].Name {
			return ordered[i].Name < ordered[j].Name
		}
		return ordered[i].Namespace < ordered[j].Namespace
	})
	return ordered, known
}
