package graph

import (
	"fmt"
	"strings"
)

// The sizes the Kubernetes API server allows (k8s.io/apimachinery: the
// constants of pkg/util/validation and pkg/api/validation, held to them by
// TestBoundsMatchKubernetes). An object over one of them can never be in a
// cluster, and the graph copies these strings into every scrape chain it
// explains: a name of megabytes, copied thousands of times, would exhaust
// the memory. Such an object is an invalid-manifest at the field and is
// left out of the model.
const (
	maxSubdomain       = 253       // DNS1123SubdomainMaxLength: most names, label and annotation key prefixes
	maxDNSLabel        = 63        // DNS1123LabelMaxLength: Service and Namespace names, namespaces, container and Service port names
	maxLabelValue      = 63        // LabelValueMaxLength
	maxLabelKeyName    = 63        // the name part of a qualified name (label and annotation keys)
	maxPortName        = 15        // IsValidPortName (IANA service name): container port names, targetPort names
	maxAnnotationBytes = 256 << 10 // TotalAnnotationSizeLimitB: keys and values of one object's annotations together
)

// tooLong is the problem of a string over its Kubernetes bound.
func tooLong(pointer, what string, n, max int) *fieldError {
	return &fieldError{pointer, fmt.Sprintf("%s is %d bytes long; Kubernetes allows at most %d, so the API server would reject this object (it is left out of the checks): shorten it", what, n, max)}
}

// boundedString checks one string field against its bound.
func boundedString(s, pointer, what string, max int) *fieldError {
	if len(s) > max {
		return tooLong(pointer, what, len(s), max)
	}
	return nil
}

// metadataBounds checks the metadata of an object the graph reads, as the
// API server's ValidateObjectMeta does; the pod template's labels and
// annotations are checked where they are read. It allocates nothing: it
// runs on every object of a repository.
func metadataBounds(r *Resource) *fieldError {
	meta, _ := r.Doc.Object["metadata"].(map[string]any)
	nameMax := maxSubdomain
	if r.Kind == "Namespace" || r.Kind == "Service" {
		nameMax = maxDNSLabel // DNS labels: they become host names
	}
	for _, field := range []string{"name", "generateName"} {
		if s, ok := meta[field].(string); ok {
			if len(s) > nameMax {
				return tooLong("/metadata/"+field, "metadata."+field, len(s), nameMax)
			}
		}
	}
	if s, ok := meta["namespace"].(string); ok {
		if len(s) > maxDNSLabel {
			return tooLong("/metadata/namespace", "metadata.namespace", len(s), maxDNSLabel)
		}
	}
	// The loader has checked that these are mappings of strings.
	labels, _ := meta["labels"].(map[string]any)
	if err := labelBounds(labels, anyString, "/metadata/labels"); err != nil {
		return err
	}
	annotations, _ := meta["annotations"].(map[string]any)
	return annotationBounds(annotations, anyString, "/metadata/annotations")
}

func anyString(v any) string { s, _ := v.(string); return s }

func plainString(s string) string { return s }

// labelKeyBound checks a label or annotation key: a name of at most 63
// characters, optionally after a DNS subdomain prefix and a slash.
func labelKeyBound(k, pointer string) *fieldError {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		if len(k[:i]) > maxSubdomain {
			return tooLong(pointer, fmt.Sprintf("the prefix of key %.80q", k), len(k[:i]), maxSubdomain)
		}
		name = k[i+1:]
	}
	return boundedString(name, pointer, fmt.Sprintf("the name of key %.80q", k), maxLabelKeyName)
}

// labelKeyOver reports, without allocating, whether a key is over its bound.
func labelKeyOver(k string) bool {
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		return i > maxSubdomain || len(k)-i-1 > maxLabelKeyName
	}
	return len(k) > maxLabelKeyName
}

// labelBounds checks label keys and values; of several over their bound,
// the first in sorted order is reported, so every run reports the same.
func labelBounds[V any](m map[string]V, str func(V) string, pointer string) *fieldError {
	first, found := "", false
	for k, v := range m {
		if (labelKeyOver(k) || len(str(v)) > maxLabelValue) && (!found || k < first) {
			first, found = k, true
		}
	}
	if !found {
		return nil
	}
	p := pointer + "/" + escape(first)
	if err := labelKeyBound(first, p); err != nil {
		return err
	}
	return boundedString(str(m[first]), p, fmt.Sprintf("the value of label %.80q", first), maxLabelValue)
}

// annotationBounds checks annotation keys and their total size.
func annotationBounds[V any](m map[string]V, str func(V) string, pointer string) *fieldError {
	first, found, total := "", false, 0
	for k, v := range m {
		total += len(k) + len(str(v))
		if labelKeyOver(k) && (!found || k < first) {
			first, found = k, true
		}
	}
	if found {
		return labelKeyBound(first, pointer+"/"+escape(first))
	}
	if total > maxAnnotationBytes {
		return tooLong(pointer, "the annotations' total size (keys and values)", total, maxAnnotationBytes)
	}
	return nil
}

// labelMap reads labels or a label selector's matchLabels, within the
// bounds of label keys and values.
func labelMap(v any, pointer string) (map[string]string, *fieldError) {
	m, err := stringMap(v, pointer)
	if err != nil {
		return nil, err
	}
	if err := labelBounds(m, plainString, pointer); err != nil {
		return nil, err
	}
	return m, nil
}

// annotationMap reads annotations, within the bounds of their keys and of
// their total size.
func annotationMap(v any, pointer string) (map[string]string, *fieldError) {
	m, err := stringMap(v, pointer)
	if err != nil {
		return nil, err
	}
	if err := annotationBounds(m, plainString, pointer); err != nil {
		return nil, err
	}
	return m, nil
}
