package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/parallel"
)

// Facts is the input of the Rego rules: the resolved scrape paths, the
// Prometheus cert setups and the PeerAuthentication port entries. The joins
// are done here, in Go, so the rules stay small and evaluation stays linear.
type Facts struct {
	Scrapes             []ScrapeFact     `json:"scrapes"`
	Prometheuses        []PrometheusFact `json:"prometheuses"`
	PeerAuthentications []PeerAuthFact   `json:"peerAuthentications"`
	// Monitors, Controllers and PrometheusConfigs back the monitor wiring
	// and Prometheus setup rules (facts_monitors.go).
	Monitors          []MonitorFact          `json:"monitors"`
	Controllers       []ControllerFact       `json:"controllers"`
	PrometheusConfigs []PrometheusConfigFact `json:"prometheusConfigs"`
	// PeerAuthReview and Merge back the full-tier peerauthentication and
	// merge rules (facts_peerauth.go, facts_merge.go).
	PeerAuthReview PeerAuthReview `json:"peerAuthReview"`
	Merge          []MergeFact    `json:"merge"`
	// AmbientAnnotationScrapes backs ambient-strict-scrape's annotation
	// case (facts_ambient.go).
	AmbientAnnotationScrapes []AmbientAnnotationScrapeFact `json:"ambientAnnotationScrapes"`
}

// Loc is a field of a resource, with what it means to the finding.
type Loc struct {
	Resource int    `json:"resource"`
	Pointer  string `json:"pointer"`
	Message  string `json:"message,omitempty"`
}

// ScrapeFact is one monitor endpoint as one Prometheus (or none) scrapes it.
type ScrapeFact struct {
	Monitor       int          `json:"monitor"`
	Kind          string       `json:"kind"`
	Name          string       `json:"name"` // "ServiceMonitor shop/cart"
	Endpoint      int          `json:"endpoint"`
	Pointer       string       `json:"pointer"`
	Scheme        string       `json:"scheme"` // http or https
	SchemePointer string       `json:"schemePointer"`
	Prometheus    *Loc         `json:"prometheus"`
	TLS           TLSFact      `json:"tls"`
	Targets       []TargetFact `json:"targets"`
	// Port is how the endpoint picks its port ("port metrics", "portNumber
	// 15020", "targetPort 9090"); "" when it scrapes every declared port.
	Port string `json:"port"`
	// AppTLS says why the endpoint's own TLS settings show that the app
	// serves TLS itself (a CA that is not Istio's, a serverName); "" if not.
	AppTLS string `json:"appTLS"`
	// CertsUnavailable says why this scrape cannot present the Istio certs
	// its scraper exports (its tlsConfig cannot name files); "" when it can.
	CertsUnavailable string `json:"certsUnavailable"`
}

// TLSFact is the effective TLS of a scrape after the scrape class merge.
type TLSFact struct {
	Istio bool `json:"istio"` // uses Istio's exported cert files
	// IstioIntent: the Istio files come from the endpoint itself or from a
	// scrape class the monitor names. A Prometheus-wide default class adds
	// them to every monitor, including plain http ones that never meant TLS.
	IstioIntent       bool   `json:"istioIntent"`
	IstioCA           bool   `json:"istioCA"`    // the CA is Istio's root cert, so the target is a mesh workload
	CertFiles         []Loc  `json:"certFiles"`  // the Istio cert files, message = path
	Pointer           string `json:"pointer"`    // where to anchor TLS findings
	SkipVerify        bool   `json:"skipVerify"` // insecureSkipVerify: true
	SkipVerifyPointer string `json:"skipVerifyPointer"`
	Class             string `json:"class"`      // scrape class that applied, "" for none
	ClassKnown        bool   `json:"classKnown"` // false: a class is named that the input does not show
	FromClass         bool   `json:"fromClass"`  // the Istio files come from the scrape class
	// ClientCert is the client certificate the scrape presents: "istio"
	// (certFile and keyFile, certFile one of Istio's exported certs),
	// "other" (a certificate from a Secret, or files Istio does not write),
	// "" (none). A STRICT sidecar port requires one from the mesh CA.
	ClientCert string `json:"clientCert"`
	// DroppedFiles are file fields the endpoint's schema lacks (a
	// PodMonitor's caFile, certFile, keyFile): message = "caFile <path>".
	DroppedFiles []Loc `json:"droppedFiles"`
}

// TargetFact is one (workload, container port) a scrape reaches.
type TargetFact struct {
	Workload    string `json:"workload"` // "Deployment shop/cart"
	Port        int    `json:"port"`
	Chain       string `json:"chain"`
	Dataplane   string `json:"dataplane"`
	Captured    bool   `json:"captured"`
	Mode        string `json:"mode"`
	ModeExplain string `json:"modeExplain"`
	// Requirement is what the port demands of the scrape (docs/model.md#port-requirement):
	// "mtls" (STRICT behind a sidecar), "plaintext" (PERMISSIVE or DISABLE
	// behind a sidecar), "any" (nothing enforces mTLS), "ambient-strict",
	// "ambient", or "unknown".
	Requirement string   `json:"requirement"`
	Why         string   `json:"why"` // why the requirement holds, for messages
	Assumptions []string `json:"assumptions"`
	Related     []Loc    `json:"related"`
	// IstioPort: a port of the sidecar itself (15090, 15021, the status
	// port) that serves plaintext and is never captured (docs/model.md#uncaptured-ports).
	IstioPort bool `json:"istioPort"`
	// AppTLS says why the port is known to serve TLS from the app itself
	// (its name or appProtocol); "" when not known.
	AppTLS string `json:"appTLS"`
}

// PrometheusFact is a Prometheus whose monitors rely on Istio certs.
type PrometheusFact struct {
	Resource            int           `json:"resource"`
	Kind                string        `json:"kind"`      // Prometheus, PrometheusAgent...
	Container           string        `json:"container"` // the scraping container, which reads the certs
	Name                string        `json:"name"`
	UsesIstioCerts      bool          `json:"usesIstioCerts"`
	CertUsers           []Loc         `json:"certUsers"`
	CertDirs            []CertDirFact `json:"certDirs"`
	AnnotationsPointer  string        `json:"annotationsPointer"`
	Export              ExportFact    `json:"export"`
	Volumes             []VolumeFact  `json:"volumes"`
	CertVolumes         []string      `json:"certVolumes"`
	VolumeMountsPointer string        `json:"volumeMountsPointer"`
	Injection           InjectionFact `json:"injection"`
}

// CertDirFact is a directory some selected monitor reads Istio certs from.
type CertDirFact struct {
	Dir       string `json:"dir"`
	Mounted   bool   `json:"mounted"`
	MountName string `json:"mountName"`
	Mount     *Loc   `json:"mount"`
	Users     []Loc  `json:"users"` // the monitor fields naming files there
	UsersText string `json:"usersText"`
}

// ExportFact is the sidecar cert export, read from pod annotations.
type ExportFact struct {
	ProxyConfigSet   bool        `json:"proxyConfigSet"`
	ProxyConfigError string      `json:"proxyConfigError"`
	OutputCerts      string      `json:"outputCerts"`
	UserMountSet     bool        `json:"userMountSet"`
	UserMountError   string      `json:"userMountError"`
	UserMounts       []UserMount `json:"userMounts"`
	// WrittenVolume is the user mount whose path is OUTPUT_CERTS: the volume
	// the sidecar writes certs into. "" when none matches.
	WrittenVolume string `json:"writtenVolume"`
	WrittenPath   string `json:"writtenPath"`
}

// UserMount is one volume the sidecar mounts.
type UserMount struct {
	Name         string `json:"name"`
	MountPath    string `json:"mountPath"`
	VolumeExists bool   `json:"volumeExists"`
}

// VolumeFact is a pod volume.
type VolumeFact struct {
	Name          string `json:"name"`
	Pointer       string `json:"pointer"`
	EmptyDir      bool   `json:"emptyDir"`
	Medium        string `json:"medium"`
	MediumPointer string `json:"mediumPointer"`
}

// InjectionFact is a data-plane decision.
type InjectionFact struct {
	Dataplane string `json:"dataplane"`
	Reason    string `json:"reason"`
	Decider   *Loc   `json:"decider"`
	Assumed   string `json:"assumed"`
}

// PeerAuthFact is input.peerAuthentications: a view of a PolicyFact, in the
// shape the rules port-level-mtls-on-service-port,
// permissive-exception-shared-port and port-level-mtls-without-selector and
// custom policies read. It is built from the policy fact (see
// peerAuthView), never worked out on its own.
type PeerAuthFact struct {
	Resource         int             `json:"resource"`
	Name             string          `json:"name"` // "shop/default"
	Scope            string          `json:"scope"`
	HasSelector      bool            `json:"hasSelector"`
	SelectorPointer  string          `json:"selectorPointer"`
	HasPortLevel     bool            `json:"hasPortLevel"`
	PortLevelPointer string          `json:"portLevelPointer"`
	PortLevel        []PortEntryFact `json:"portLevel"`
}

// PortEntryFact is a portLevelMtls entry and what it meets on the
// workloads the policy selects: a view of a PortCheckFact.
type PortEntryFact struct {
	Port    int    `json:"port"`
	Mode    string `json:"mode"`
	Pointer string `json:"pointer"`
	// ServicePortMisuse: Service ports equal to the key whose target is a
	// different container port (the key should be the container port).
	ServicePortMisuse []MisuseFact `json:"servicePortMisuse"`
	// Shared: workloads on which the exempted port carries metrics and
	// other traffic too.
	Shared []SharedFact `json:"shared"`
}

// MisuseFact is one Service port that the key was probably copied from.
type MisuseFact struct {
	Service       Loc    `json:"service"`
	Resolution    string `json:"resolution"` // "Service shop/cart port 8080 -> targetPort 9090"
	ContainerPort int    `json:"containerPort"`
	Workload      string `json:"workload"`
}

// SharedFact explains why an exempted metrics port is shared.
type SharedFact struct {
	Workload string `json:"workload"`
	Metrics  string `json:"metrics"` // why it is a metrics port
	Other    string `json:"other"`   // what else uses it
	Related  []Loc  `json:"related"`
}

// Facts computes the rule input. The facts of each monitor, then those
// of each PeerAuthentication, are worked out in parallel (forEach) and
// joined in the input's order.
func (g *Graph) Facts() *Facts {
	g.freeze()
	f := &Facts{Scrapes: []ScrapeFact{}, Prometheuses: []PrometheusFact{}, PeerAuthentications: []PeerAuthFact{}}
	ctx := g.wiringContext()
	perMonitor := make([]monitorPart, len(g.Monitors))
	f.Monitors = make([]MonitorFact, len(g.Monitors)) // each monitor's, in place
	parallel.ForEach(len(g.Monitors), func(mi int) {
		perMonitor[mi] = g.monitorPart(mi, ctx, &f.Monitors[mi])
	})
	g.countedTargets, g.selecting = nil, nil
	scraped := scrapedPorts{}
	certUsers := map[int][]Loc{} // Prometheus -> monitor fields with Istio cert files
	certDirUsers := map[int]map[string][]Loc{}
	n := 0
	for i := range perMonitor {
		n += len(perMonitor[i].scrapes)
	}
	f.Scrapes = make([]ScrapeFact, 0, n)
	for mi, m := range g.Monitors {
		mf := &perMonitor[mi]
		for i, targets := range mf.targets {
			scraped.addTargets(m, &m.Endpoints[i], targets, len(f.Scrapes))
			f.Scrapes = append(f.Scrapes, mf.scrapes[i*mf.variants:(i+1)*mf.variants]...)
		}
		for _, u := range mf.certUses {
			certUsers[u.prometheus] = append(certUsers[u.prometheus], u.user)
			if certDirUsers[u.prometheus] == nil {
				certDirUsers[u.prometheus] = map[string][]Loc{}
			}
			for _, cf := range u.files {
				dir := dirOf(cf.Message)
				certDirUsers[u.prometheus][dir] = append(certDirUsers[u.prometheus][dir], cf)
			}
		}
		*mf = monitorPart{} // let go of the targets
	}
	for _, p := range g.Prometheus {
		f.Prometheuses = append(f.Prometheuses, g.prometheusFact(p, certUsers[p.Resource], certDirUsers[p.Resource]))
	}
	g.addWiringFacts(f)
	scraped.addRelabeled(g)
	f.PeerAuthReview, f.Merge, f.AmbientAnnotationScrapes = g.peerAuthAndMergeFacts(f.Scrapes, scraped)
	f.PeerAuthentications = make([]PeerAuthFact, 0, len(g.PeerAuths))
	for i, pa := range g.PeerAuths {
		f.PeerAuthentications = append(f.PeerAuthentications, peerAuthView(pa, &f.PeerAuthReview.Policies[i]))
	}
	return f
}

// monitorPart is the facts of one monitor: its scrape facts (variants per
// endpoint, endpoint by endpoint), its endpoints' targets for the index of
// scraped ports, and the Istio cert files it reads from each Prometheus.
// Its wiring fact goes straight to its place in Facts.Monitors.
type monitorPart struct {
	scrapes  []ScrapeFact
	variants int
	targets  [][]Target
	certUses []certUse
}

// certUse is a scrape fact that reads Istio's cert files from a Prometheus.
type certUse struct {
	prometheus int // its resource
	user       Loc
	files      []Loc
}

// monitorPart works out the facts of monitor mi (the index in g.Monitors),
// its wiring fact into wiring.
func (g *Graph) monitorPart(mi int, ctx *wiring, wiring *MonitorFact) monitorPart {
	m := g.Monitors[mi]
	selecting, targets := g.countedFor(mi)
	variants := selecting
	if len(variants) == 0 {
		variants = []*Prometheus{nil}
	}
	out := monitorPart{variants: len(variants), targets: targets, scrapes: make([]ScrapeFact, 0, len(variants)*len(m.Endpoints))}
	for i := range m.Endpoints {
		e := &m.Endpoints[i]
		tf := make([]TargetFact, 0, len(targets[i]))
		for _, t := range targets[i] {
			tf = append(tf, g.targetFact(t))
		}
		for _, p := range variants {
			sf := ScrapeFact{Monitor: m.Resource, Kind: m.Kind, Name: m.Display(), Endpoint: e.Index, Pointer: e.Pointer,
				Scheme: "http", SchemePointer: e.Pointer, Targets: tf, CertsUnavailable: m.Source.NoFileTLS}
			if e.Scheme == "https" {
				sf.Scheme = "https"
			}
			if e.SchemePointer != "" {
				sf.SchemePointer = e.SchemePointer
			}
			var certDirs []string
			if p != nil {
				sf.Prometheus = &Loc{Resource: p.Resource, Pointer: "", Message: p.Display()}
				certDirs = p.CertDirs()
			}
			sf.TLS = tlsFact(m, e, p, certDirs)
			sf.Port, sf.AppTLS = endpointPort(e), endpointAppTLS(e, certDirs)
			if sf.TLS.Istio && p != nil {
				out.certUses = append(out.certUses, certUse{prometheus: p.Resource,
					user: Loc{Resource: m.Resource, Pointer: sf.TLS.Pointer, Message: m.Display()}, files: sf.TLS.CertFiles})
			}
			out.scrapes = append(out.scrapes, sf)
		}
	}
	*wiring = g.monitorFact(m, ctx)
	return out
}

func dirOf(file string) string {
	if i := strings.LastIndexByte(file, '/'); i > 0 {
		return file[:i]
	}
	return "/"
}

func tlsFact(m *Monitor, e *Endpoint, p *Prometheus, certDirs []string) TLSFact {
	tls, class, known := EffectiveTLS(m, e, p)
	tf := TLSFact{Pointer: e.Pointer, Class: class, ClassKnown: known, SkipVerify: tls.InsecureSkipVerify, SkipVerifyPointer: e.Pointer}
	if e.TLS.Present {
		tf.Pointer = e.TLS.Pointer
		tf.SkipVerifyPointer = e.TLS.Pointer
	}
	if e.TLS.SkipVerifySet {
		tf.SkipVerifyPointer = e.TLS.SkipVerifyPointer
	}
	own := map[string]bool{}
	for _, f := range e.TLS.Files {
		own[f.Field] = true
	}
	for _, f := range tls.Files {
		if IsIstioCertFile(f.Path, certDirs) {
			tf.Istio = true
			if own[f.Field] || m.ScrapeClass != "" {
				tf.IstioIntent = true
			}
			if f.Field == "caFile" {
				tf.IstioCA = true
			}
			ptr := f.Pointer
			if !own[f.Field] {
				tf.FromClass = true
			}
			if !own[f.Field] && m.ScrapeClassPointer != "" {
				ptr = m.ScrapeClassPointer
			} else if !own[f.Field] {
				ptr = e.Pointer
			}
			tf.CertFiles = append(tf.CertFiles, Loc{Resource: m.Resource, Pointer: ptr, Message: f.Path})
		}
	}
	if tf.CertFiles == nil {
		tf.CertFiles = []Loc{}
	}
	tf.ClientCert = clientCert(tls, certDirs)
	tf.DroppedFiles = []Loc{}
	for _, f := range e.TLS.Dropped {
		tf.DroppedFiles = append(tf.DroppedFiles, Loc{Resource: m.Resource, Pointer: f.Pointer, Message: f.Field + " " + f.Path})
	}
	return tf
}

// clientCert classifies the client certificate an effective tlsConfig
// presents (see TLSFact.ClientCert).
func clientCert(tls TLSConfig, certDirs []string) string {
	var cert, key *TLSFile
	for i := range tls.Files {
		switch tls.Files[i].Field {
		case "certFile":
			cert = &tls.Files[i]
		case "keyFile":
			key = &tls.Files[i]
		}
	}
	switch {
	case cert != nil && key != nil && IsIstioCertFile(cert.Path, certDirs):
		return "istio"
	case cert != nil || tls.HasSecretCert:
		return "other"
	}
	return ""
}

// targetFact is built for every target of every scrape: its messages are
// concatenated rather than formatted, and the workload's name is built once.
func (g *Graph) targetFact(t Target) TargetFact {
	w := t.Workload
	display := w.Display()
	tf := TargetFact{Workload: display, Port: t.Port, Chain: t.chain(display), Dataplane: string(w.Injection.Dataplane),
		Assumptions: []string{}, Related: make([]Loc, 0, 3), IstioPort: w.isIstioPort(t.Port), AppTLS: t.appTLS()}
	if t.Service != nil && t.ServicePort == nil {
		tf.Related = append(tf.Related, Loc{Resource: t.Service.Resource, Pointer: "/spec/selector",
			Message: "selects the pod whose endpoints are discovered"})
	}
	if t.Service != nil && t.ServicePort != nil {
		tf.Related = append(tf.Related, Loc{Resource: t.Service.Resource, Pointer: t.ServicePort.Pointer,
			Message: "Service port " + strconv.Itoa(t.ServicePort.Port) + " targets " + t.ServicePort.TargetPort.String()})
	}
	if t.Service != nil && t.Service.EndpointsFrom != "" {
		tf.Related = append(tf.Related, Loc{Resource: t.Service.EndpointsResource, Pointer: "",
			Message: "gives Service " + t.Service.Namespace + "/" + t.Service.Name + " its endpoints"})
	}
	wp := w.Template
	if t.ContainerPort != nil && t.ContainerPort.Pointer != "" {
		wp = t.ContainerPort.Pointer
	}
	tf.Related = append(tf.Related, Loc{Resource: w.Resource, Pointer: wp, Message: "container port " + strconv.Itoa(t.Port) + " of " + display})
	if w.Injection.Assumed != "" {
		tf.Assumptions = append(tf.Assumptions, w.Injection.Assumed)
	}
	switch w.Injection.Dataplane {
	case DataplaneUnknown:
		tf.Requirement, tf.Why = "unknown", w.Injection.Reason
		return tf
	case DataplaneNone:
		tf.Requirement, tf.Why = "any", display+" has no sidecar: "+w.Injection.Reason
		return tf
	}
	captured, why := true, ""
	if w.Injection.Dataplane == DataplaneSidecar {
		captured, why = w.Captured(t.Port)
	}
	tf.Captured = captured
	if !captured {
		tf.Requirement, tf.Why = "any", why
		return tf
	}
	d := g.EffectiveMode(w, t.Port)
	tf.Mode, tf.ModeExplain = string(d.Mode), d.Explain()
	if d.Assumed != "" {
		tf.Assumptions = append(tf.Assumptions, d.Assumed)
	}
	if d.Source != nil {
		tf.Related = append(tf.Related, Loc{Resource: d.Source.Resource, Pointer: d.Source.Pointer, Message: string(d.Mode) + " set here"})
	}
	switch {
	case w.Injection.Dataplane == DataplaneAmbient && d.Mode == ModeStrict:
		tf.Requirement = "ambient-strict"
	case w.Injection.Dataplane == DataplaneAmbient:
		tf.Requirement = "ambient"
	case d.Mode == ModeStrict:
		tf.Requirement = "mtls"
	default:
		tf.Requirement = "plaintext"
	}
	tf.Why = display + " gets a sidecar because " + w.Injection.Reason
	if w.Injection.Dataplane == DataplaneAmbient {
		tf.Why = display + " is enrolled in ambient because " + w.Injection.Reason
	}
	return tf
}

func (g *Graph) prometheusFact(p *Prometheus, users []Loc, dirUsers map[string][]Loc) PrometheusFact {
	ce := p.ExportedCerts()
	pf := PrometheusFact{Resource: p.Resource, Kind: p.Kind, Container: p.Scraper.Container, Name: p.Namespace + "/" + p.Name, UsesIstioCerts: len(users) > 0,
		CertUsers: users, CertDirs: []CertDirFact{}, AnnotationsPointer: "/spec/podMetadata/annotations",
		Volumes: []VolumeFact{}, CertVolumes: []string{}, VolumeMountsPointer: "/spec/volumeMounts"}
	if pf.CertUsers == nil {
		pf.CertUsers = []Loc{}
	}
	// Scrape classes that carry Istio cert files also make the Prometheus
	// rely on the recipe, even before a monitor uses them.
	for _, sc := range p.ScrapeClasses {
		for _, f := range sc.TLS.Files {
			if IsIstioCertFile(f.Path, p.CertDirs()) {
				pf.UsesIstioCerts = true
				dir := dirOf(f.Path)
				if dirUsers == nil {
					dirUsers = map[string][]Loc{}
				}
				dirUsers[dir] = append(dirUsers[dir], Loc{Resource: p.Resource, Pointer: f.Pointer, Message: f.Path})
			}
		}
	}
	certVolumes := map[string]bool{}
	for _, dir := range sortedKeys(dirUsers) {
		users := dedupeLocs(dirUsers[dir])
		cd := CertDirFact{Dir: dir, Users: users}
		var names []string
		for _, u := range users {
			r := g.Resources[u.Resource]
			names = append(names, r.Kind+" "+r.Namespace+"/"+r.Name)
		}
		cd.UsersText = strings.Join(uniqueSorted(names), ", ")
		if vm := p.MountCovering(dir); vm != nil {
			cd.Mounted, cd.MountName = true, vm.Name
			cd.Mount = &Loc{Resource: p.Resource, Pointer: vm.Pointer, Message: "mounted here"}
			certVolumes[vm.Name] = true
		}
		pf.CertDirs = append(pf.CertDirs, cd)
	}
	pf.Export = ExportFact{ProxyConfigSet: ce.ProxyConfigSet, ProxyConfigError: ce.ProxyConfigError, OutputCerts: ce.OutputCerts,
		UserMountSet: ce.UserMountSet, UserMountError: ce.UserMountError, UserMounts: []UserMount{}}
	for _, um := range ce.UserMounts {
		pf.Export.UserMounts = append(pf.Export.UserMounts, UserMount{Name: um.Name, MountPath: um.MountPath, VolumeExists: p.Volume(um.Name) != nil})
		if ce.OutputCerts != "" && SamePath(um.MountPath, ce.OutputCerts) {
			pf.Export.WrittenVolume, pf.Export.WrittenPath = um.Name, um.MountPath
			certVolumes[um.Name] = true
		}
	}
	for _, v := range p.Volumes {
		pf.Volumes = append(pf.Volumes, VolumeFact{Name: v.Name, Pointer: v.Pointer, EmptyDir: v.EmptyDir, Medium: v.Medium, MediumPointer: v.MediumPointer})
	}
	pf.CertVolumes = sortedKeys(certVolumes)
	inj := p.Pod.Injection
	pf.Injection = InjectionFact{Dataplane: string(inj.Dataplane), Reason: inj.Reason, Assumed: inj.Assumed}
	if inj.Decider != nil {
		pf.Injection.Decider = &Loc{Resource: inj.Decider.Resource, Pointer: inj.Decider.Pointer, Message: "decides injection"}
	}
	return pf
}

// peerAuthView shows a policy fact as input.peerAuthentications does.
func peerAuthView(pa *PeerAuthentication, pf *PolicyFact) PeerAuthFact {
	v := PeerAuthFact{Resource: pf.Resource, Name: pf.Name, Scope: pf.Scope, HasSelector: pa.HasSelector,
		SelectorPointer: "/spec/selector", HasPortLevel: pf.PortLevel.Present, PortLevelPointer: pf.PortLevel.Pointer, PortLevel: []PortEntryFact{}}
	if v.PortLevelPointer == "" {
		v.PortLevelPointer = "/spec"
	}
	for _, pc := range pf.Ports {
		v.PortLevel = append(v.PortLevel, PortEntryFact{Port: pc.Port, Mode: pc.Mode, Pointer: pc.Pointer, ServicePortMisuse: pc.Misuses, Shared: pc.Shared})
	}
	return v
}

// servicePortMisuse finds Service ports equal to a portLevelMtls key that
// reach a different container port on w: the key was written with the
// Service port, which Istio never matches (istio#49098).
func (g *Graph) servicePortMisuse(key int, w *Workload) []MisuseFact {
	if w.declared(key) != nil {
		return nil // the key is also a real container port of the workload
	}
	var out []MisuseFact
	for _, svc := range g.ServicesOf(w) {
		for i := range svc.Ports {
			sp := &svc.Ports[i]
			if sp.Port != key {
				continue
			}
			target, _, ok := ResolveTargetPort(sp, w)
			if !ok || target == key {
				continue
			}
			out = append(out, MisuseFact{
				Service:       Loc{Resource: svc.Resource, Pointer: sp.Pointer, Message: fmt.Sprintf("Service port %d targets container port %d", sp.Port, target)},
				Resolution:    fmt.Sprintf("Service %s/%s port %d -> targetPort %s -> container port %d", svc.Namespace, svc.Name, sp.Port, sp.TargetPort, target),
				ContainerPort: target,
				Workload:      w.Display(),
			})
		}
	}
	return out
}

var metricsWords = []string{"metric", "prom", "monitor", "stats", "telemetry", "exporter", "scrape"}

func isMetricsName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range metricsWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// sharedMetricsPort decides whether an exempted port serves metrics and also
// other traffic. Both need evidence: without a sign that the port serves
// metrics the exception is not a metrics exception (a webhook port, say),
// and this rule has nothing to say.
func (g *Graph) sharedMetricsPort(port int, w *Workload, scraped scrapedPorts) (SharedFact, bool) {
	sf := SharedFact{Workload: w.Display(), Related: []Loc{}}
	cp := w.declared(port)
	var svcPorts []struct {
		svc *Service
		sp  *ServicePort
	}
	for _, svc := range g.ServicesOf(w) {
		for i := range svc.Ports {
			if target, _, ok := ResolveTargetPort(&svc.Ports[i], w); ok && target == port {
				svcPorts = append(svcPorts, struct {
					svc *Service
					sp  *ServicePort
				}{svc, &svc.Ports[i]})
			}
		}
	}
	if monitors := scraped.plaintextScrapers(w, port); len(monitors) > 0 {
		sf.Metrics = "it is scraped by " + strings.Join(uniqueSorted(monitors), ", ")
	} else if cp != nil && isMetricsName(cp.Name) {
		sf.Metrics = fmt.Sprintf("its container port is named %q", cp.Name)
	} else if w.Annotations["prometheus.io/port"] == strconv.Itoa(port) {
		sf.Metrics = "prometheus.io/port names it"
	} else {
		for _, s := range svcPorts {
			if isMetricsName(s.sp.Name) {
				sf.Metrics = fmt.Sprintf("Service %s/%s exposes it as %q", s.svc.Namespace, s.svc.Name, s.sp.Name)
				break
			}
		}
	}
	if sf.Metrics == "" {
		return sf, false
	}
	var others []string
	for _, s := range svcPorts {
		if s.sp.Name == "" || !isMetricsName(s.sp.Name) {
			label := strconv.Itoa(s.sp.Port)
			if s.sp.Name != "" {
				label = fmt.Sprintf("%s (%d)", s.sp.Name, s.sp.Port)
			}
			others = append(others, fmt.Sprintf("Service %s/%s port %s", s.svc.Namespace, s.svc.Name, label))
			sf.Related = append(sf.Related, Loc{Resource: s.svc.Resource, Pointer: s.sp.Pointer, Message: "also targets this port"})
		}
	}
	switch {
	case len(svcPorts) > 1 && len(others) > 0:
		sf.Other = "it also carries " + strings.Join(others, ", ")
	case cp != nil && cp.Name != "" && !isMetricsName(cp.Name):
		sf.Other = fmt.Sprintf("its container port name %q is not a metrics name, so it likely serves the application", cp.Name)
	case cp != nil && cp.Name == "" && len(w.Ports) == 1:
		sf.Other = fmt.Sprintf("it is the only container port of %s, so application traffic uses it too", w.Display())
	}
	if cp != nil {
		sf.Related = append(sf.Related, Loc{Resource: w.Resource, Pointer: cp.Pointer, Message: "the exempted container port"})
	}
	return sf, sf.Other != ""
}

// dedupeLocs keeps the first of the locations at each place.
func dedupeLocs(in []Loc) []Loc {
	return firstOfEach(in, nil, func(l Loc) Ref { return Ref{l.Resource, l.Pointer} })
}

// firstOfEach appends to out the first element of in for each key, in
// order; out may be in[:0]. A short list is searched, a longer one gets a
// set: most lists hold one or two, and a map for each was most of what
// deduplicating allocated.
func firstOfEach[T any, K comparable](in, out []T, key func(T) K) []T {
	const searched = 8
	var seen map[K]bool
	for _, x := range in {
		k := key(x)
		if len(out) > searched && seen == nil {
			seen = make(map[K]bool, len(in))
			for _, o := range out {
				seen[key(o)] = true
			}
		}
		if seen != nil {
			if seen[k] {
				continue
			}
			seen[k] = true
		} else if slices.ContainsFunc(out, func(o T) bool { return key(o) == k }) {
			continue
		}
		out = append(out, x)
	}
	return out
}

// uniqueSorted is in sorted, each string once (nil when in is empty).
func uniqueSorted(in []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(in)))
}
