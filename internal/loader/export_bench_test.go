package loader

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// BenchDeployment is a Deployment as the benchmark corpus writes one.
const BenchDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-00000
  namespace: app-00000
  labels:
    app: app-00000
    team: team-00
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-00000
  template:
    metadata:
      labels:
        app: app-00000
        version: v1
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: app-00000
      containers:
        - name: app
          image: registry.example.com/team-00/app-00000:1.4.2
          args: ["--config", "/etc/app/application.yaml"]
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
          volumeMounts:
            - name: config
              mountPath: /etc/app
      volumes:
        - name: config
          configMap:
            name: app-00000-config
`

// PlaceForBench places pointers in text as a FilePass does, by scanBlock
// or by yaml.v3's nodes, and returns how many were found exactly.
func PlaceForBench(text string, pointers []string, scan bool) int {
	lines := strings.Split(text, "\n")
	n := 0
	if scan {
		s := scanBlock(text, lines, 0)
		if s == nil {
			return 0
		}
		for _, p := range pointers {
			if _, exact := s.lookup(p); exact {
				n++
			}
		}
		return n
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return 0
	}
	b := positionBuilder{lines: lines}
	for _, p := range pointers {
		if _, exact := b.lookup(root.Content[0], p); exact {
			n++
		}
	}
	return n
}
