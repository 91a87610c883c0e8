package corpus

import "fmt"

// walkKustomize writes ProfileKustomize: overlays over max(1, overlays/10)
// bases, and two components every overlay uses.
func walkKustomize(overlays int, yield func(File) error) error {
	bases := max(1, overlays/10)
	files := []File{
		{Path: "platform/monitoring/prometheus.yaml", Data: []byte(prometheusYAML), Resources: 2},
		{Path: "components/monitoring/kustomization.yaml", Data: []byte(monitoringComponent)},
		{Path: "components/monitoring/servicemonitor.yaml", Data: []byte(componentServiceMonitor), Resources: 1},
		{Path: "components/labels/kustomization.yaml", Data: []byte(labelsComponent)},
	}
	for _, f := range files {
		if err := yield(f); err != nil {
			return err
		}
	}
	for i := 0; i < bases; i++ {
		dir := fmt.Sprintf("bases/base-%02d/", i)
		for _, f := range []File{
			{Path: dir + "kustomization.yaml", Data: []byte(baseKustomization)},
			{Path: dir + "deployment.yaml", Data: fmt.Appendf(nil, baseDeployment, i), Resources: 1},
			{Path: dir + "service.yaml", Data: []byte(baseService), Resources: 1},
		} {
			if err := yield(f); err != nil {
				return err
			}
		}
	}
	for i := 0; i < overlays; i++ {
		dir := fmt.Sprintf("overlays/ov-%03d/", i)
		ns := fmt.Sprintf("ov-%03d", i)
		for _, f := range []File{
			{Path: dir + "kustomization.yaml", Data: fmt.Appendf(nil, overlayKustomization, ns, i%bases)},
			{Path: dir + "namespace.yaml", Data: overlayNamespace(ns), Resources: 2},
			{Path: dir + "replicas.yaml", Data: fmt.Appendf(nil, overlayReplicas, 1+i%5)},
		} {
			if err := yield(f); err != nil {
				return err
			}
		}
	}
	return nil
}

const baseKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
labels:
  - pairs:
      app.kubernetes.io/part-of: shop
`

const baseDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web:1.%d.0
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
`

const baseService = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    app: web
` + servicePorts

const monitoringComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - servicemonitor.yaml
`

// The Istio cert recipe: under STRICT, the scrape goes over mTLS.
const componentServiceMonitor = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: web
  labels:
    release: monitoring
spec:
  selector:
    matchLabels:
      app: web
  endpoints:
    - port: metrics
      path: /metrics
      scheme: https
` + istioTLS + `        insecureSkipVerify: true
`

const labelsComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target:
      kind: Deployment
    patch: |-
      - op: add
        path: /spec/template/metadata/labels/tier
        value: frontend
`

const overlayKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %[1]s
resources:
  - namespace.yaml
  - ../../bases/base-%02[2]d
components:
  - ../../components/monitoring
  - ../../components/labels
patches:
  - path: replicas.yaml
  - target:
      kind: Service
      name: web
    patch: |-
      - op: add
        path: /metadata/labels/overlay
        value: %[1]s
`

// overlayNamespace is an overlay's namespace, injected and STRICT.
func overlayNamespace(ns string) []byte {
	return []byte(`apiVersion: v1
kind: Namespace
metadata:
  name: ` + ns + `
  labels:
    istio-injection: enabled
---
` + strictNamespacePolicy(ns))
}

const overlayReplicas = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: %d
`
