package graph

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
	"github.com/meshlint/meshlint/internal/loader"
)

// podTemplateAPIVersions are apiVersions under which add reads each kind of
// podTemplateFields as a workload.
var podTemplateAPIVersions = map[string]string{
	"Pod": "v1", "ReplicationController": "v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
	"ReplicaSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1", "Rollout": "argoproj.io/v1alpha1",
}

// apiFields are the field names of the Kubernetes API types a workload
// holds (k8s.io/api), and a made-up one for fields a future API may add.
func apiFields() []string {
	types := []reflect.Type{
		reflect.TypeFor[corev1.PodSpec](), reflect.TypeFor[corev1.Container](), reflect.TypeFor[corev1.ContainerPort](),
		reflect.TypeFor[corev1.PodTemplateSpec](), reflect.TypeFor[metav1.ObjectMeta](),
		reflect.TypeFor[appsv1.DeploymentSpec](), reflect.TypeFor[appsv1.StatefulSetSpec](), reflect.TypeFor[appsv1.DaemonSetSpec](),
		reflect.TypeFor[appsv1.ReplicaSetSpec](), reflect.TypeFor[corev1.ReplicationControllerSpec](),
		reflect.TypeFor[batchv1.JobSpec](), reflect.TypeFor[batchv1.CronJobSpec](), reflect.TypeFor[batchv1.JobTemplateSpec](),
	}
	seen := map[string]bool{"x-not-in-the-api": true, "workloadRef": true} // and a Rollout's
	for _, t := range types {
		for i := 0; i < t.NumField(); i++ {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
				seen[name] = true
			}
		}
	}
	return sortedKeys(seen)
}

// garbage are values a field left out is given: were read to look at the
// field, one of them would change what it reads (a wrong type is an error,
// a container named istio-proxy is a proxy, ports are ports).
func garbage() []any {
	proxy := func() map[string]any {
		return map[string]any{"name": "istio-proxy", "restartPolicy": "Always",
			"ports": []any{map[string]any{"name": "x", "containerPort": int64(15090)}}, "containerPort": int64(1)}
	}
	// (No mapping holds two values that are not strings: which one read
	// reports first would be up to map order.)
	return []any{"x", int64(7), true, nil, []any{}, []any{proxy()}, proxy(),
		map[string]any{"containers": []any{proxy()}, "sidecar.istio.io/status": "{}"}, map[string]any{"labels": map[string]any{"a": "b"}}}
}

// podObject is a workload of kind, with its pod template where add reads
// it from.
func podObject(kind string) map[string]any {
	port := func(name string, n int64) map[string]any { return map[string]any{"name": name, "containerPort": n} }
	spec := map[string]any{
		"hostNetwork": false,
		"containers": []any{
			map[string]any{"name": "app", "image": "app:1", "ports": []any{port("http", 8080), port("metrics", 9090)}},
			map[string]any{"name": "sidecar", "ports": []any{port("admin", 9901)}},
		},
		"initContainers": []any{map[string]any{"name": "native", "restartPolicy": "Always", "ports": []any{port("agent", 7070)}}},
	}
	tmpl := map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "a"},
		"annotations": map[string]any{"prometheus.io/scrape": "true"}}, "spec": spec}
	obj := map[string]any{"apiVersion": podTemplateAPIVersions[kind], "kind": kind,
		"metadata": map[string]any{"name": "a", "namespace": "n", "labels": map[string]any{"app": "a"}}}
	switch kind {
	case "Pod":
		tmpl["apiVersion"], tmpl["kind"], tmpl["metadata"] = obj["apiVersion"], kind, obj["metadata"]
		return tmpl
	case "CronJob":
		obj["spec"] = map[string]any{"schedule": "* * * * *", "jobTemplate": map[string]any{"spec": map[string]any{"template": tmpl}}}
	default:
		obj["spec"] = map[string]any{"replicas": int64(2), "selector": map[string]any{"matchLabels": map[string]any{"app": "a"}}, "template": tmpl}
	}
	return obj
}

// mappings are the paths of the mappings in v (keys, and indices of
// sequences), the top one first.
func mappings(v any, path []any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case map[string]any:
		out = append(out, path)
		for _, k := range sortedKeys(x) {
			out = append(out, mappings(x[k], append(slices.Clip(path), k))...)
		}
	case []any:
		for i, item := range x {
			out = append(out, mappings(item, append(slices.Clip(path), i))...)
		}
	}
	return out
}

// withField is a copy of obj whose mapping at path has field set to v.
func withField(obj map[string]any, path []any, field string, v any) map[string]any {
	var cp func(any) any
	cp = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, val := range x {
				m[k] = cp(val)
			}
			return m
		case []any:
			l := make([]any, len(x))
			for i, val := range x {
				l[i] = cp(val)
			}
			return l
		}
		return v
	}
	out := cp(obj).(map[string]any)
	var at any = out
	for _, step := range path {
		switch s := step.(type) {
		case string:
			at = at.(map[string]any)[s]
		case int:
			at = at.([]any)[s]
		}
	}
	at.(map[string]any)[field] = v
	return out
}

// readingOf is what read takes from an object.
func readingOf(obj map[string]any) *reading {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	d := &loader.Document{APIVersion: apiVersion, Kind: kind, Name: name, Namespace: ns, Item: -1, Object: obj}
	return readAlone(d)
}

// readAlone is what read takes from a document read into a graph of its
// own, as a Builder's first document.
func readAlone(d *loader.Document) *reading {
	return read(d, NewBuilder(DefaultSettings()).g)
}

// workloadsOf are the workloads of a reading.
func workloadsOf(rd *reading) []*Workload {
	var out []*Workload
	for _, p := range rd.parts {
		if w, ok := p.(*Workload); ok {
			out = append(out, w)
		}
	}
	return out
}

// TestReadsFieldsLeavesOutOnlyWhatIsNotRead: whatever any mapping of a
// workload holds in a field, for every field of the Kubernetes API types a
// workload holds and one they do not have, read takes the same from the
// object whole and from what ReadsFields keeps of it. When read learns to
// look at a field left out, this fails: keep the field in ReadsFields.
func TestReadsFieldsLeavesOutOnlyWhatIsNotRead(t *testing.T) {
	fields := apiFields()
	for kind := range podTemplateFields {
		apiVersion, ok := podTemplateAPIVersions[kind]
		if !ok {
			t.Fatalf("%s: no apiVersion to test it under", kind)
		}
		rule, base := ReadsFields(apiVersion, kind), podObject(kind)
		if rd := readingOf(base); rd.err != nil || len(workloadsOf(rd)) != 1 || len(workloadsOf(rd)[0].Ports) != 4 {
			t.Fatalf("%s: the base object is not read as a workload with its ports: %s", kind, describeReading(rd))
		}
		if _, partial := rule.Apply(base); !partial {
			t.Fatalf("%s: ReadsFields leaves nothing out of the base object", kind)
		}
		for _, path := range mappings(base, nil) {
			for _, f := range fields {
				for i, v := range garbage() {
					obj := withField(base, path, f, v)
					kept, _ := rule.Apply(obj)
					if whole, pruned := readingOf(obj), readingOf(kept.(map[string]any)); !reflect.DeepEqual(whole, pruned) {
						t.Fatalf("%s %v.%s=garbage[%d]: read differs on what ReadsFields keeps:\nwhole: %s\nkept:  %s",
							kind, path, f, i, describeReading(whole), describeReading(pruned))
					}
				}
			}
		}
	}
}

func describeReading(rd *reading) string {
	var b strings.Builder
	fmt.Fprintf(&b, "err=%+v", rd.err)
	for _, w := range workloadsOf(rd) {
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
			if a, b := readAlone(d), readAlone(k); !reflect.DeepEqual(a, b) {
				t.Errorf("%s:%d: %s %s: read differs:\nwhole: %s\nkept:  %s", d.File, d.StartLine, d.Kind, d.Name, describeReading(a), describeReading(b))
			}
		}
	}
	if partial == 0 {
		t.Error("no object had fields left out: the corpora do not test ReadsFields")
	}
}
