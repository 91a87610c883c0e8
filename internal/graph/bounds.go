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
// annotations are checked where they are read.
func metadataBounds(r *Resource) *fieldError {
	meta, _ := r.Doc.Object["metadata"].(map[string]any)
	nameMax := maxSubdomain
	if r.Kind == "Namespace" || r.Kind == "Service" {
		nameMax = maxDNSLabel // DNS labels: they become host names
	}
	for _, field := range []string{"name", "generateName"} {
		if s, ok := meta[field].(string); ok {
			if err := boundedString(s, "/metadata/"+field, "metadata."+field, nameMax); err != nil {
				return err
			}
		}
	}
	if s, ok := meta["namespace"].(string); ok {
		if err := boundedString(s, "/metadata/namespace", "metadata.namespace", maxDNSLabel); err != nil {
			return err
		}
	}
	if _, err := labelMap(meta["labels"], "/metadata/labels"); err != nil {
		return err
	}
	_, err := annotationMap(meta["annotations"], "/metadata/annotations")
	return err
}

// labelKeyBound checks a label or annotation key: a name of at most 63
// characters, optionally after a DNS subdomain prefix and a slash.
func labelKeyBound(k, pointer string) *fieldError {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		if err := boundedString(k[:i], pointer, fmt.Sprintf("the prefix of key %.80q", k), maxSubdomain); err != nil {
			return err
		}
		name = k[i+1:]
	}
	return boundedString(name, pointer, fmt.Sprintf("the name of key %.80q", k), maxLabelKeyName)
}

// labelMap reads labels or a label selector's matchLabels, within the
// bounds of label keys and values.
func labelMap(v any, pointer string) (map[string]string, *fieldError) {
	m, err := stringMap(v, pointer)
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(m) {
		p := pointer + "/" + escape(k)
		if err := labelKeyBound(k, p); err != nil {
			return nil, err
		}
		if err := boundedString(m[k], p, fmt.Sprintf("the value of label %.80q", k), maxLabelValue); err != nil {
			return nil, err
		}
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
	total := 0
	for _, k := range sortedKeys(m) {
		if err := labelKeyBound(k, pointer+"/"+escape(k)); err != nil {
			return nil, err
		}
		total += len(k) + len(m[k])
	}
	if total > maxAnnotationBytes {
		return nil, tooLong(pointer, "the annotations' total size (keys and values)", total, maxAnnotationBytes)
	}
	return m, nil
}
