package graph

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/loader"
)

// podTemplateAPIVersions are apiVersions under which add reads each kind of
// podTemplateFields as a workload.
var podTemplateAPIVersions = map[string]string{
	"Pod": "v1", "ReplicationController": "v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
	"ReplicaSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1", "Rollout": "argoproj.io/v1alpha1",
}

// jsonFields are the field names of a Kubernetes API type (k8s.io/api), and
// a made-up one for fields a future API may add.
func jsonFields(t reflect.Type) []string {
	out := []string{"x-not-in-the-api"}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// garbage are values a field left out is given: were read to look at the
// field, one of them would change what it reads (a wrong type is an error,
// a container named istio-proxy is a proxy, ports are ports).
func garbage() []any {
	proxy := func() map[string]any {
		return map[string]any{"name": "istio-proxy", "restartPolicy": "Always",
			"ports": []any{map[string]any{"name": "x", "containerPort": int64(15090)}}, "containerPort": int64(1)}
	}
	return []any{"x", int64(7), true, nil, []any{}, []any{proxy()}, proxy(),
		map[string]any{"containers": []any{proxy()}, "labels": map[string]any{"a": "b"}}}
}

// podObject is a workload of kind with the pod spec spec, at the place add
// reads its template from.
func podObject(kind string, spec map[string]any) map[string]any {
	tmpl := map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "a"},
		"annotations": map[string]any{"prometheus.io/scrape": "true"}}, "spec": spec}
	obj := map[string]any{"apiVersion": podTemplateAPIVersions[kind], "kind": kind,
		"metadata": map[string]any{"name": "a", "namespace": "n", "labels": map[string]any{"app": "a"}}}
	switch kind {
	case "Pod":
		tmpl["apiVersion"], tmpl["kind"], tmpl["metadata"] = obj["apiVersion"], kind, obj["metadata"]
		return tmpl
	case "CronJob":
		obj["spec"] = map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": tmpl}}}
	default:
		obj["spec"] = map[string]any{"replicas": int64(2), "template": tmpl}
	}
	return obj
}

func basePodSpec() map[string]any {
	port := func(name string, n int64) map[string]any { return map[string]any{"name": name, "containerPort": n} }
	return map[string]any{
		"hostNetwork": false,
		"containers": []any{
			map[string]any{"name": "app", "image": "app:1", "ports": []any{port("http", 8080), port("metrics", 9090)}},
			map[string]any{"name": "sidecar", "ports": []any{port("admin", 9901)}},
		},
		"initContainers": []any{map[string]any{"name": "native", "restartPolicy": "Always", "ports": []any{port("agent", 7070)}}},
	}
}

// readingOf is what read takes from an object.
func readingOf(obj map[string]any) *reading {
	meta := obj["metadata"].(map[string]any)
	d := &loader.Document{APIVersion: obj["apiVersion"].(string), Kind: obj["kind"].(string), Name: meta["name"].(string),
		Namespace: meta["namespace"].(string), Item: -1, Object: obj}
	return read(d, DefaultSettings())
}

// TestReadsFieldsLeavesOutOnlyWhatIsNotRead: whatever a pod spec or a
// container holds in a field that ReadsFields leaves out, in every field of
// the Kubernetes API and one it does not have, read takes the same from the
// object whole and from what the rule keeps of it. When read learns to look
// at such a field, this fails: keep the field in ReadsFields.
func TestReadsFieldsLeavesOutOnlyWhatIsNotRead(t *testing.T) {
	podFields, containerFields := jsonFields(reflect.TypeFor[corev1.PodSpec]()), jsonFields(reflect.TypeFor[corev1.Container]())
	for kind := range podTemplateFields {
		apiVersion, ok := podTemplateAPIVersions[kind]
		if !ok {
			t.Fatalf("%s: no apiVersion to test it under", kind)
		}
		rule := ReadsFields(apiVersion, kind)
		if base := readingOf(podObject(kind, basePodSpec())); base.err != nil || len(base.workloads) != 1 || len(base.workloads[0].Ports) != 4 {
			t.Fatalf("%s: the base object is not read as a workload with its ports: %+v", kind, base)
		}
		check := func(what string, obj map[string]any) {
			t.Helper()
			kept, _ := rule.Apply(obj)
			if whole, pruned := readingOf(obj), readingOf(kept.(map[string]any)); !reflect.DeepEqual(whole, pruned) {
				t.Errorf("%s %s: read differs on what ReadsFields keeps:\nwhole: %s\nkept:  %s", kind, what, describeReading(whole), describeReading(pruned))
			}
		}
		for _, f := range podFields {
			for i, v := range garbage() {
				spec := basePodSpec()
				spec[f] = v
				check(fmt.Sprintf("pod spec %s=garbage[%d]", f, i), podObject(kind, spec))
			}
		}
		for _, list := range []string{"containers", "initContainers"} {
			for _, f := range containerFields {
				for i, v := range garbage() {
					spec := basePodSpec()
					spec[list].([]any)[0].(map[string]any)[f] = v
					check(fmt.Sprintf("%s[0].%s=garbage[%d]", list, f, i), podObject(kind, spec))
				}
			}
		}
	}
}

func describeReading(rd *reading) string {
	var b strings.Builder
	fmt.Fprintf(&b, "err=%+v", rd.err)
	for _, w := range rd.workloads {
		fmt.Fprintf(&b, " workload=%+v", *w)
	}
	for _, p := range rd.problems {
		fmt.Fprintf(&b, " problem=%+v", p)
	}
	return b.String()
}

// TestReadsFieldsOnTheCorpora: the examples, the rules' fixtures and every
// generated corpus, loaded with ReadsFields and without, give the same
// documents, problems and readings.
func TestReadsFieldsOnTheCorpora(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/rules/*")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, "../../examples")
	for _, p := range corpus.Profiles {
		dir := t.TempDir()
		if _, err := corpus.Generate(dir, corpus.Options{Apps: 12, Profile: p}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	partial := 0
	for _, dir := range dirs {
		load := func(fields loader.FieldsOf) *loader.Result {
			res, err := loader.Load([]string{dir}, loader.Options{WorkDir: dir, Kinds: ReadsKind, Fields: fields})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		whole, kept := load(nil), load(ReadsFields)
		if !reflect.DeepEqual(whole.Problems, kept.Problems) || len(whole.Documents) != len(kept.Documents) {
			t.Fatalf("%s: problems or documents differ:\n%+v\n%+v", dir, whole.Problems, kept.Problems)
		}
		for i, d := range whole.Documents {
			k := kept.Documents[i]
			if d.File != k.File || d.StartLine != k.StartLine || d.Kind != k.Kind || d.Name != k.Name || d.Namespace != k.Namespace {
				t.Fatalf("%s: document %d differs: %s %s/%s and %s %s/%s", dir, i, d.Kind, d.Namespace, d.Name, k.Kind, k.Namespace, k.Name)
			}
			if !reflect.DeepEqual(d.Object, k.Object) {
				partial++
			}
			if a, b := read(d, DefaultSettings()), read(k, DefaultSettings()); !reflect.DeepEqual(a, b) {
				t.Errorf("%s:%d: %s %s: read differs:\nwhole: %s\nkept:  %s", d.File, d.StartLine, d.Kind, d.Name, describeReading(a), describeReading(b))
			}
		}
	}
	if partial == 0 {
		t.Error("no object had fields left out: the corpora do not test ReadsFields")
	}
}
