// Package corpus writes deterministic, platform-monorepo-shaped manifest
// trees for benchmarks: N apps in their own namespaces, each with about 7.5
// resources over 4 files, one Prometheus that follows Istio's cert recipe,
// and a small, fixed fraction of apps with the mistakes meshlint exists to
// find, so every phase of a lint (including findings and report) does real
// work. The same N always gives the same bytes.
package corpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Profile selects what besides the apps goes into the tree.
type Profile string

const (
	// ProfileApps is the corpus of issue 6: apps only.
	ProfileApps Profile = "apps"
	// ProfileIrrelevant adds, per app, kinds no rule reads and that dominate
	// real repositories by size: a large ConfigMap (a dashboard), a Secret,
	// and every tenth app a CustomResourceDefinition with a big schema.
	ProfileIrrelevant Profile = "irrelevant"
	// ProfileAdoption is a first adoption: the apps of ProfileApps with a
	// mistake in one app of five (not one of 25), each finding relating
	// the app's Service, monitor and PeerAuthentications in three or four
	// files to the Prometheus in another, so placing findings does work in
	// a quarter of the files.
	ProfileAdoption Profile = "adoption"
	// ProfileCrowded puts every app in one namespace, "apps", whose
	// Namespace and STRICT PeerAuthentication are written once: each
	// monitor's selector then has every Service and pod of the corpus to
	// choose from. Every app is injected and STRICT, as the namespace is.
	ProfileCrowded Profile = "crowded"
	// ProfileCrowdedSpread is the same apps as ProfileCrowded, each in its
	// own namespace: what ProfileCrowded is measured against.
	ProfileCrowdedSpread Profile = "crowded-spread"
	// ProfileKustomize is a Kustomize-heavy repository, not apps: N
	// overlays over N/10 shared bases, each overlay with a strategic-merge
	// patch, an inline JSON patch and two components (one adding a
	// ServiceMonitor, one patching labels). It is not among Profiles: its N
	// counts Kustomize builds, which cost far more than apps.
	ProfileKustomize Profile = "kustomize"
)

// Profiles lists the profiles in the order the flag help shows them.
var Profiles = []Profile{ProfileApps, ProfileIrrelevant, ProfileAdoption, ProfileCrowded, ProfileCrowdedSpread}

// crowdedNamespace is the one namespace of ProfileCrowded.
const crowdedNamespace = "apps"

// Options configure Generate.
type Options struct {
	Apps    int
	Profile Profile // "" means ProfileApps
}

// Stats describe what Generate wrote.
type Stats struct {
	Files     int
	Resources int
	Bytes     int64
	// Mistakes counts the apps given each deliberate mistake, keyed by the
	// rule that should fire on it.
	Mistakes map[string]int
}

// Generate writes the corpus into dir, which must be empty or not exist.
func Generate(dir string, opts Options) (Stats, error) {
	st := Stats{Mistakes: map[string]int{}}
	if opts.Apps < 1 {
		return st, fmt.Errorf("generate corpus: need at least one app, got %d", opts.Apps)
	}
	switch opts.Profile {
	case "":
		opts.Profile = ProfileApps
	case ProfileApps, ProfileIrrelevant, ProfileAdoption, ProfileCrowded, ProfileCrowdedSpread, ProfileKustomize:
	default:
		return st, fmt.Errorf("generate corpus: unknown profile %q", opts.Profile)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return st, fmt.Errorf("generate corpus: %s is not empty", dir)
	}
	err := Walk(opts, func(f File) error {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("generate corpus: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("generate corpus: %w", err)
		}
		st.Files++
		st.Resources += f.Resources
		st.Bytes += int64(len(f.Data))
		return nil
	})
	if err != nil {
		return st, err
	}
	for i := 0; i < opts.Apps && opts.Profile != ProfileKustomize; i++ {
		if m := appShape(i, opts.Profile).mistake; m != "" {
			st.Mistakes[m]++
		}
	}
	return st, nil
}

// File is one generated manifest file.
type File struct {
	Path      string // slash-separated, relative to the corpus root
	Data      []byte
	Resources int
}

// Walk produces the corpus file by file, in a fixed order, without touching
// the disk; Generate writes what it yields.
func Walk(opts Options, yield func(File) error) error {
	if opts.Profile == "" {
		opts.Profile = ProfileApps
	}
	if opts.Profile == ProfileKustomize {
		return walkKustomize(opts.Apps, yield)
	}
	var b bytes.Buffer
	b.WriteString(prometheusYAML)
	if err := yield(File{Path: "platform/monitoring/prometheus.yaml", Data: bytes.Clone(b.Bytes()), Resources: 2}); err != nil {
		return err
	}
	if opts.Profile == ProfileCrowded {
		b.Reset()
		b.WriteString(crowdedNamespaceYAML)
		if err := yield(File{Path: "platform/apps/namespace.yaml", Data: bytes.Clone(b.Bytes()), Resources: 2}); err != nil {
			return err
		}
	}
	for i := 0; i < opts.Apps; i++ {
		a := appShape(i, opts.Profile)
		dir := fmt.Sprintf("apps/%s/", a.name)
		for _, part := range a.files(opts.Profile) {
			b.Reset()
			for j, doc := range part.docs {
				if j > 0 {
					b.WriteString("---\n")
				}
				if opts.Profile == ProfileCrowded {
					doc = strings.Replace(doc, "\n  namespace: "+a.name+"\n", "\n  namespace: "+crowdedNamespace+"\n", 1)
				}
				b.WriteString(doc)
			}
			if err := yield(File{Path: dir + part.name, Data: bytes.Clone(b.Bytes()), Resources: len(part.docs)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Rules fired by the deliberate mistakes.
const (
	RulePlaintextStrict  = "plaintext-scrape-of-strict-port"
	RuleTLSWithoutHTTPS  = "istio-tls-without-https"
	RuleTLSNoSkipVerify  = "istio-tls-without-skip-verify"
	RulePodMonitorStrict = "podmonitor-under-strict"
	RuleServicePortKey   = "port-level-mtls-on-service-port"
	RulePortLevelNoSel   = "port-level-mtls-without-selector"
	RuleSharedException  = "permissive-exception-shared-port"
)

// app is the shape of one app, decided from its index alone.
type app struct {
	index     int
	name      string
	injection string // "enabled", "" (no label) or "ambient"
	strict    bool   // namespace PeerAuthentication mode
	// scrape is how the ServiceMonitor reaches the metrics port: "istio"
	// (https with the exported Istio certs, the recipe) or "http".
	scrape        string
	workloadPA    bool
	podMonitor    bool
	metricsOnHTTP bool // the app serves metrics on its http port
	mistake       string
}

// mix is splitmix64: a fixed, well-spread function of the app index, so
// choices look random but never change between runs or Go versions.
func mix(i int, salt uint64) uint64 {
	z := uint64(i)*0x9e3779b97f4a7c15 + salt
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// pct is a number in [0, 100) for a choice about app i.
func pct(i int, salt uint64) int { return int(mix(i, salt) % 100) }

// mistakesPerMille is how many apps of 1000 carry a mistake.
func mistakesPerMille(profile Profile) uint64 {
	if profile == ProfileAdoption {
		return 200
	}
	return 40
}

func appShape(i int, profile Profile) app {
	a := app{index: i, name: fmt.Sprintf("app-%05d", i), injection: "enabled", scrape: "http"}
	switch p := pct(i, 1); {
	case profile == ProfileCrowded || profile == ProfileCrowdedSpread:
		// As the one namespace is: injected.
	case p < 12:
		a.injection = ""
	case p < 15:
		a.injection = "ambient"
	}
	// STRICT only where a sidecar enforces it; the others stay PERMISSIVE.
	a.strict = a.injection == "enabled" && (pct(i, 2) < 75 || profile == ProfileCrowded || profile == ProfileCrowdedSpread)
	if a.strict {
		// Under STRICT: the Istio cert recipe, or a PERMISSIVE exception
		// on the metrics-only port and plain http through it.
		a.scrape = "istio"
		if pct(i, 3) < 40 {
			a.workloadPA, a.scrape = true, "http"
		}
	}
	a.podMonitor = pct(i, 4) < 20
	// About 4% of the apps (20% in a first adoption) carry one mistake
	// each, spread over the rules.
	if m := mix(i, 5) % 1000; m < mistakesPerMille(profile) {
		// One mistake per app: no PodMonitor or exception unless it is the
		// mistake, since either would make or hide another one.
		a.injection, a.strict, a.scrape, a.podMonitor, a.workloadPA = "enabled", true, "istio", false, false
		switch m % 7 {
		case 0:
			a.mistake, a.scrape = RulePlaintextStrict, "http"
		case 1:
			a.mistake = RuleTLSWithoutHTTPS
		case 2:
			a.mistake = RuleTLSNoSkipVerify
		case 3:
			a.mistake, a.podMonitor = RulePodMonitorStrict, true
		case 4:
			a.mistake, a.workloadPA = RuleServicePortKey, true
		case 5:
			a.mistake = RulePortLevelNoSel
		case 6:
			// Metrics scraped in plaintext from the app's http port, let
			// through by a PERMISSIVE exception on that shared port.
			a.mistake, a.workloadPA, a.metricsOnHTTP, a.scrape = RuleSharedException, true, true, "http"
		}
		if a.mistake == RulePortLevelNoSel && (profile == ProfileCrowded || profile == ProfileCrowdedSpread) {
			// The crowded namespace's PeerAuthentication is shared, not
			// the app's to get wrong.
			a.mistake = RuleTLSNoSkipVerify
		}
	}
	return a
}

type filePart struct {
	name string
	docs []string
}

func (a app) files(profile Profile) []filePart {
	var parts []filePart
	if profile != ProfileCrowded {
		parts = append(parts, filePart{"namespace.yaml", []string{a.namespace(), a.namespacePeerAuth()}})
	}
	parts = append(parts, filePart{"config.yaml", []string{a.configMap(), a.serviceAccount()}},
		filePart{"deployment.yaml", []string{a.deployment(), a.service()}})
	mon := []string{a.serviceMonitor()}
	if a.podMonitor {
		mon = append(mon, a.podMonitorYAML())
	}
	if a.workloadPA {
		mon = append(mon, a.workloadPeerAuth())
	}
	parts = append(parts, filePart{"monitoring.yaml", mon})
	if profile == ProfileIrrelevant {
		extra := []string{a.dashboard(), a.secret()}
		if a.index%10 == 0 {
			extra = append(extra, a.crd())
		}
		parts = append(parts, filePart{"extras.yaml", extra})
	}
	return parts
}

func (a app) namespace() string {
	labels := "    team: " + a.team() + "\n"
	switch a.injection {
	case "enabled":
		labels += "    istio-injection: enabled\n"
	case "ambient":
		labels += "    istio.io/dataplane-mode: ambient\n"
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: %s
  labels:
%s`, a.name, labels)
}

func (a app) team() string { return fmt.Sprintf("team-%02d", a.index%37) }

func (a app) namespacePeerAuth() string {
	mode := "STRICT"
	if !a.strict {
		mode = "PERMISSIVE"
	}
	s := fmt.Sprintf(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: %s
spec:
  mtls:
    mode: %s
`, a.name, mode)
	if a.mistake == RulePortLevelNoSel {
		s += "  portLevelMtls:\n    9090:\n      mode: PERMISSIVE\n"
	}
	return s
}

func (a app) configMap() string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-config
  namespace: %[1]s
  labels:
    app: %[1]s
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "checkout,recommendations"
  application.yaml: |
    server:
      port: 8080
    management:
      port: 9090
      path: /metrics
`, a.name)
}

func (a app) serviceAccount() string {
	return fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: %[1]s
  namespace: %[1]s
  labels:
    app: %[1]s
`, a.name)
}

func (a app) deployment() string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[1]s
  labels:
    app: %[1]s
    team: %[2]s
spec:
  replicas: 2
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
        version: v1
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: %[1]s
      containers:
        - name: app
          image: registry.example.com/%[2]s/%[1]s:1.4.2
          args: ["--config", "/etc/app/application.yaml"]
          env:
            - name: APP_NAME
              value: %[1]s
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          volumeMounts:
            - name: config
              mountPath: /etc/app
      volumes:
        - name: config
          configMap:
            name: %[1]s-config
`, a.name, a.team())
}

func (a app) service() string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[1]s
  labels:
    app: %[1]s
spec:
  selector:
    app: %[1]s
`, a.name) + servicePorts
}

// servicePorts are the ports of every generated app's Service: http for
// the app, metrics for its metrics.
const servicePorts = `  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9090
      targetPort: metrics
`

const istioTLS = `      tlsConfig:
        caFile: /etc/prom-certs/root-cert.pem
        certFile: /etc/prom-certs/cert-chain.pem
        keyFile: /etc/prom-certs/key.pem
`

func (a app) serviceMonitor() string {
	port := "metrics"
	if a.metricsOnHTTP {
		port = "http"
	}
	ep := fmt.Sprintf("    - port: %s\n      path: /metrics\n      interval: 30s\n", port)
	switch {
	case a.mistake == RuleTLSWithoutHTTPS:
		ep += istioTLS + "        insecureSkipVerify: true\n"
	case a.mistake == RuleTLSNoSkipVerify:
		ep += "      scheme: https\n" + istioTLS
	case a.scrape == "istio":
		ep += "      scheme: https\n" + istioTLS + "        insecureSkipVerify: true\n"
	}
	return monitorHead("ServiceMonitor", a.name, a.name) + "  endpoints:\n" + ep
}

// podMonitorYAML scrapes Envoy's own stats on sidecar pods (never
// intercepted, so fine under STRICT), or the app's metrics port where
// nothing enforces mTLS. The mistake scrapes the app port under STRICT.
func (a app) podMonitorYAML() string {
	port := "http-envoy-prom"
	if a.scrape == "http" || a.mistake == RulePodMonitorStrict {
		port = "metrics"
	}
	return monitorHead("PodMonitor", a.name+"-pods", a.name) + "  podMetricsEndpoints:\n    - port: " + port + "\n      path: /stats/prometheus\n"
}

// monitorHead is a generated monitor up to its endpoints: named name in
// namespace app, picked up by the release: monitoring Prometheus, selecting
// the app's pods or Service.
func monitorHead(kind, name, app string) string {
	return fmt.Sprintf(`apiVersion: monitoring.coreos.com/v1
kind: %[1]s
metadata:
  name: %[2]s
  namespace: %[3]s
  labels:
    release: monitoring
spec:
  selector:
    matchLabels:
      app: %[3]s
`, kind, name, app)
}

// workloadPeerAuth exempts the metrics-only port, the accepted pattern.
// The mistakes key it on the Service port, or exempt the shared http port.
func (a app) workloadPeerAuth() string {
	port := 9090
	switch a.mistake {
	case RuleServicePortKey:
		port = 80
	case RuleSharedException:
		port = 8080
	}
	return fmt.Sprintf(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: %[1]s-metrics
  namespace: %[1]s
spec:
  selector:
    matchLabels:
      app: %[1]s
  mtls:
    mode: STRICT
  portLevelMtls:
    %[2]d:
      mode: PERMISSIVE
`, a.name, port)
}

// dashboard is a Grafana dashboard ConfigMap of about 12 KB: the kind of
// large document that no rule reads.
func (a app) dashboard() string {
	var panels strings.Builder
	for p := 0; p < 24; p++ {
		if p > 0 {
			panels.WriteString(",\n")
		}
		fmt.Fprintf(&panels, `        {"id": %d, "type": "timeseries", "title": "%s panel %d", "gridPos": {"h": 8, "w": 12, "x": %d, "y": %d},
         "targets": [{"expr": "sum(rate(http_requests_total{namespace=\"%s\", code=~\"5..\"}[5m])) by (pod)", "refId": "A"}]}`,
			p, a.name, p, (p%2)*12, (p/2)*8, a.name)
	}
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-dashboard
  namespace: %[1]s
  labels:
    grafana_dashboard: "1"
data:
  %[1]s.json: |
    {
      "title": "%[1]s",
      "uid": "%[1]s",
      "schemaVersion": 39,
      "panels": [
%[2]s
      ]
    }
`, a.name, panels.String())
}

func (a app) secret() string {
	var data strings.Builder
	for k := 0; k < 8; k++ {
		fmt.Fprintf(&data, "  key-%d: %s\n", k, strings.Repeat(fmt.Sprintf("c2VjcmV0LSVk%02d", k), 8))
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: %[1]s-credentials
  namespace: %[1]s
type: Opaque
data:
%[2]s`, a.name, data.String())
}

// crd is a CustomResourceDefinition with a deep schema of about 30 KB.
func (a app) crd() string {
	var props strings.Builder
	for p := 0; p < 60; p++ {
		fmt.Fprintf(&props, `                    field%[1]d:
                      description: Field %[1]d of the widget spec; controls an aspect of reconciliation.
                      type: object
                      properties:
                        enabled:
                          type: boolean
                        replicas:
                          type: integer
                          format: int32
                          minimum: 0
                        selector:
                          type: object
                          additionalProperties:
                            type: string
`, p)
	}
	group := fmt.Sprintf("%s.example.com", a.name)
	return fmt.Sprintf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.%[1]s
spec:
  group: %[1]s
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                template:
                  type: object
                  properties:
%[2]s`, group, props.String())
}

// crowdedNamespaceYAML is the one namespace of ProfileCrowded: injected
// and STRICT.
var crowdedNamespaceYAML = `apiVersion: v1
kind: Namespace
metadata:
  name: apps
  labels:
    team: platform
    istio-injection: enabled
` + "---\n" + strictNamespacePolicy("apps")

// strictNamespacePolicy is a namespace-wide STRICT PeerAuthentication.
func strictNamespacePolicy(namespace string) string {
	return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: ` + namespace + `
spec:
  mtls:
    mode: STRICT
`
}

// prometheusYAML is the one Prometheus, following Istio's cert recipe, and
// its namespace.
const prometheusYAML = `apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
  labels:
    istio-injection: enabled
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
  namespace: monitoring
spec:
  replicas: 2
  serviceMonitorSelector:
    matchLabels:
      release: monitoring
  serviceMonitorNamespaceSelector: {}
  podMonitorSelector:
    matchLabels:
      release: monitoring
  podMonitorNamespaceSelector: {}
  podMetadata:
    annotations:
      traffic.sidecar.istio.io/includeInboundPorts: ""
      traffic.sidecar.istio.io/includeOutboundIPRanges: ""
      proxy.istio.io/config: |
        proxyMetadata:
          OUTPUT_CERTS: /etc/istio-output-certs
      sidecar.istio.io/userVolumeMount: '[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]'
  volumes:
    - name: istio-certs
      emptyDir:
        medium: Memory
  volumeMounts:
    - name: istio-certs
      mountPath: /etc/prom-certs/
`
