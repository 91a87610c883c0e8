package graph

import (
	"fmt"
	"strconv"
	"strings"
)

// Injection is the data-plane decision for one pod template, with the reason
// a message can quote and the field that decided it.
type Injection struct {
	Dataplane Dataplane
	Reason    string
	Decider   *Ref   // the field that decided, when one did
	Assumed   string // non-empty when the decision rests on an assumption
}

// ignoredNamespaces are never injected (istio pkg/kube/inject IgnoredNamespaces).
var ignoredNamespaces = map[string]bool{
	"kube-system": true, "kube-public": true, "kube-node-lease": true, "local-path-storage": true,
}

const (
	labelInjection     = "istio-injection"
	labelRev           = "istio.io/rev"
	labelInject        = "sidecar.istio.io/inject"
	labelDataplaneMode = "istio.io/dataplane-mode"
)

// DecideInjection follows the injection webhooks and the injector
// (docs/model.md#sidecar-injection): which webhook selects the pod from namespace and
// pod labels, then the injector's own checks, then ambient enrollment.
func (g *Graph) DecideInjection(w *Workload) Injection {
	labelPtr := func(key string) *Ref {
		return &Ref{Resource: w.Resource, Pointer: w.Meta + "/labels/" + escape(key)}
	}
	if w.HasProxy {
		return Injection{Dataplane: DataplaneSidecar, Reason: "the manifest already contains the istio-proxy sidecar"}
	}
	if w.HostNetwork {
		return Injection{Dataplane: DataplaneNone, Reason: "it uses hostNetwork, which Istio never injects",
			Decider: &Ref{Resource: w.Resource, Pointer: w.Spec + "/hostNetwork"}}
	}
	if ignoredNamespaces[w.Namespace] {
		return Injection{Dataplane: DataplaneNone, Reason: fmt.Sprintf("namespace %s is never injected by Istio", w.Namespace)}
	}
	ns := g.namespace(w.Namespace)
	nsLabels, assumed := ns.Labels, ""
	nsRef := (*Ref)(nil)
	if ns.Resource >= 0 {
		nsRef = &Ref{Resource: ns.Resource, Pointer: "/metadata/labels"}
	} else {
		nsLabels, assumed = g.assumedNamespaceLabels(ns)
		if nsLabels == nil {
			return Injection{Dataplane: DataplaneUnknown, Reason: fmt.Sprintf("namespace %s has no Namespace manifest in the input", w.Namespace)}
		}
	}
	podInject, hasPodInject := w.Labels[labelInject]

	sidecar, reason, decider := false, "", (*Ref)(nil)
	nsInjection, hasNsInjection := nsLabels[labelInjection]
	nsRev, hasNsRev := nsLabels[labelRev]
	_, hasPodRev := w.Labels[labelRev]
	switch {
	case hasPodInject && podInject == "false":
		reason, decider = "its pod label sidecar.istio.io/inject is \"false\"", labelPtr(labelInject)
	case hasNsInjection && nsInjection == "enabled":
		sidecar, reason, decider = true, fmt.Sprintf("namespace %s has istio-injection=enabled", w.Namespace), nsRef
	case hasNsInjection:
		reason, decider = fmt.Sprintf("namespace %s has istio-injection=%s, which no injection webhook selects", w.Namespace, nsInjection), nsRef
	case hasNsRev:
		sidecar, reason, decider = true, fmt.Sprintf("namespace %s has istio.io/rev=%s", w.Namespace, nsRev), nsRef
	case hasPodRev:
		sidecar, reason, decider = true, "its pod label istio.io/rev selects a revision", labelPtr(labelRev)
	case hasPodInject && podInject == "true":
		sidecar, reason, decider = true, "its pod label sidecar.istio.io/inject is \"true\"", labelPtr(labelInject)
	default:
		reason, decider = fmt.Sprintf("namespace %s has no istio-injection or istio.io/rev label", w.Namespace), nsRef
		if v, ok := w.Annotations[labelInject]; ok && v == "true" {
			reason += " (the annotation sidecar.istio.io/inject: \"true\" cannot opt a pod in; use the label)"
		}
	}
	if assumed != "" && decider == nil {
		// The namespace labels were assumed, not read: say so rather than
		// state a label the input does not have.
		if sidecar {
			reason = fmt.Sprintf("namespace %s is assumed to be injected", w.Namespace)
		} else {
			reason = fmt.Sprintf("namespace %s is assumed not to be injected", w.Namespace)
		}
	}
	if sidecar {
		// The injector itself: the label wins over the annotation, and the
		// annotation can only opt out of a namespace that is selected.
		if v, ok := w.Annotations[labelInject]; ok && !hasPodInject && v == "false" {
			return Injection{Dataplane: DataplaneNone, Reason: "its pod annotation sidecar.istio.io/inject is \"false\"",
				Decider: &Ref{Resource: w.Resource, Pointer: w.Meta + "/annotations/" + escape(labelInject)}, Assumed: assumed}
		}
		return Injection{Dataplane: DataplaneSidecar, Reason: reason, Decider: decider, Assumed: assumed}
	}
	// No sidecar: ambient enrollment (istio-cni enablement selectors).
	if w.Labels[labelDataplaneMode] == "ambient" {
		return Injection{Dataplane: DataplaneAmbient, Reason: "its pod label istio.io/dataplane-mode is ambient", Decider: labelPtr(labelDataplaneMode), Assumed: assumed}
	}
	if nsLabels[labelDataplaneMode] == "ambient" && w.Labels[labelDataplaneMode] != "none" {
		return Injection{Dataplane: DataplaneAmbient, Reason: fmt.Sprintf("namespace %s has istio.io/dataplane-mode=ambient", w.Namespace), Decider: nsRef, Assumed: assumed}
	}
	return Injection{Dataplane: DataplaneNone, Reason: reason, Decider: decider, Assumed: assumed}
}

// assumedNamespaceLabels stands in for a Namespace manifest that is not in
// the input. It returns nil when nothing may be assumed.
func (g *Graph) assumedNamespaceLabels(ns *Namespace) (map[string]string, string) {
	switch g.Settings.AssumeInjection {
	case "enabled":
		return map[string]string{labelInjection: "enabled"},
			fmt.Sprintf("namespace %s is not in the input and --assume-injection=enabled", ns.Name)
	case "disabled":
		return map[string]string{},
			fmt.Sprintf("namespace %s is not in the input and --assume-injection=disabled", ns.Name)
	case "auto", "":
		// The root namespace holds the mesh-wide policies and the control
		// plane, which Istio does not inject; a policy there is no evidence.
		if ns.IstioEvidence >= 0 && ns.Name != g.Settings.RootNamespace {
			r := g.Resources[ns.IstioEvidence]
			return map[string]string{labelInjection: "enabled"},
				fmt.Sprintf("namespace %s is not in the input; assumed injected because %s %s/%s is in it (set --assume-injection to change this)", ns.Name, r.Kind, r.Namespace, r.Name)
		}
	}
	return nil, ""
}

// Captured reports whether the sidecar intercepts inbound traffic to port,
// and if not, why (docs/model.md#uncaptured-ports).
func (w *Workload) Captured(port int) (bool, string) {
	status := 15020
	if v, ok := w.Annotations["status.sidecar.istio.io/port"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			status = n
		}
	}
	switch port {
	case 15090, 15021, status:
		return false, fmt.Sprintf("port %d is an Istio port that the sidecar never intercepts", port)
	}
	if strings.EqualFold(w.Annotations["sidecar.istio.io/interceptionMode"], "NONE") {
		return false, "sidecar.istio.io/interceptionMode is NONE"
	}
	if inPortList(w.Annotations["traffic.sidecar.istio.io/excludeInboundPorts"], port) {
		return false, fmt.Sprintf("port %d is in traffic.sidecar.istio.io/excludeInboundPorts", port)
	}
	if include, ok := w.Annotations["traffic.sidecar.istio.io/includeInboundPorts"]; ok {
		include = strings.TrimSpace(include)
		if include != "*" && !inPortList(include, port) {
			return false, fmt.Sprintf("port %d is not in traffic.sidecar.istio.io/includeInboundPorts", port)
		}
	}
	return true, ""
}

func inPortList(list string, port int) bool {
	if list == "" {
		return false // most pods: no error to build for an empty number
	}
	for p := range strings.SplitSeq(list, ",") {
		p = strings.TrimSpace(p)
		if p == "*" {
			return true
		}
		if n, err := strconv.Atoi(p); err == nil && n == port {
			return true
		}
	}
	return false
}
