package scrapegraph

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/finding"
)

// Judge gives each path the verdict of the unsuppressed findings on it,
// and the ids of their rules. A finding is on a path when:
//   - it is on the path's monitor: at the path's endpoint, or on the
//     monitor as a whole (its selector, say), not at another endpoint;
//   - it is on the path's Prometheus and names the path's endpoint among
//     its places (a cert export problem names the monitors that use the
//     certs); a Prometheus finding that names no endpoint is about the
//     Prometheus, not about a scrape;
//   - it is on anything else (a PeerAuthentication, a Service, a workload)
//     and one of its places is the path's endpoint, Service port or
//     container port.
//
// In a run with environments a finding counts in the environments it was
// found in.
func (p *Picture) Judge(findings []finding.Finding) {
	for i := range p.Paths {
		path := &p.Paths[i]
		rules := map[string]bool{}
		for _, f := range findings {
			if f.Suppressed || !path.inEnvironments(f.Environments) || !path.holds(f) {
				continue
			}
			rules[f.Rule] = true
			v := AtRisk
			if f.Severity == "error" {
				v = Broken
			}
			if v > path.Verdict {
				path.Verdict = v
			}
		}
		path.Rules = path.Rules[:0]
		for r := range rules {
			path.Rules = append(path.Rules, r)
		}
		sort.Strings(path.Rules)
	}
}

func (p *Path) inEnvironments(envs []string) bool {
	if len(envs) == 0 || p.Environment == "" {
		return true
	}
	for _, e := range envs {
		if e == p.Environment {
			return true
		}
	}
	return false
}

// place is a located field of an object, as findings give them.
type place struct {
	ref     Ref
	pointer string
}

func placeOf(r *finding.Resource, pointer string) place {
	if r == nil {
		return place{}
	}
	return place{Ref{r.Kind, r.Namespace, r.Name}, pointer}
}

func (p *Path) holds(f finding.Finding) bool {
	primary := placeOf(f.Resource, f.Path)
	related := make([]place, 0, len(f.Related))
	for _, r := range f.Related {
		related = append(related, placeOf(r.Resource, r.Path))
	}
	switch {
	case primary.ref.IsZero():
		return false
	case primary.ref == p.Monitor:
		return within(primary.pointer, p.endpointPointer) || !inSomeEndpoint(primary.pointer)
	case primary.ref.Kind == "ServiceMonitor" || primary.ref.Kind == "PodMonitor":
		return false // another monitor's scrape, though it may reach the same port
	case primary.ref.Kind == "Prometheus":
		if primary.ref != p.Scraper {
			return false
		}
		for _, r := range related {
			if r.ref == p.Monitor && within(r.pointer, p.endpointPointer) {
				return true
			}
		}
		return false
	}
	for _, at := range append(related, primary) {
		if p.passesThrough(at) {
			return true
		}
	}
	return false
}

// passesThrough reports whether the path goes through a field: its
// endpoint, its Service port or its container port.
func (p *Path) passesThrough(at place) bool {
	switch {
	case at.ref == p.Monitor:
		return within(at.pointer, p.endpointPointer)
	case at.ref == p.Service && p.servicePortPtr != "":
		return within(at.pointer, p.servicePortPtr)
	case at.ref == p.Workload && p.containerPtr != "":
		return within(at.pointer, p.containerPtr)
	}
	return false
}

// within reports whether JSON pointer ptr is at or below base.
func within(ptr, base string) bool {
	return ptr == base || strings.HasPrefix(ptr, base+"/")
}

// inSomeEndpoint reports whether a monitor's pointer is inside one of its
// endpoints rather than about the monitor as a whole.
func inSomeEndpoint(ptr string) bool {
	return strings.HasPrefix(ptr, "/spec/endpoints/") || strings.HasPrefix(ptr, "/spec/podMetricsEndpoints/")
}
