package graph

import "github.com/meshlint/meshlint/internal/loader"

// ReadsFields gives, for loader.Options.Fields, the fields the graph reads
// of an object of a kind, so that the loader builds only those: of a
// workload's spec, its pod template's labels, annotations and what
// addWorkload reads of the pod spec (hostNetwork and the containers' names,
// ports and restart policies). The rest (selectors, strategies, and the
// containers' env, probes, resources, security contexts and volumes) is
// most of a repository's decoded text, and nothing here looks at it. nil
// keeps an object whole. TestReadsFieldsLeavesOutOnlyWhatIsNotRead holds
// it to what read does: it fails when read starts to look at a field left
// out here.
func ReadsFields(apiVersion, kind string) *loader.Fields {
	if sourceKindOf(apiVersion, kind) != nil || scraperKindOf(apiVersion, kind) != nil {
		return nil // add reads these before it looks at the kind's name
	}
	return podTemplateFields[kind]
}

// containerFields are the fields of a container addWorkload reads.
var containerFields = loader.Only(map[string]*loader.Fields{"name": nil, "restartPolicy": nil, "ports": nil})

// podSpecFields are the fields of a pod spec addWorkload reads.
var podSpecFields = loader.Only(map[string]*loader.Fields{
	"hostNetwork":    nil,
	"containers":     loader.Each(containerFields),
	"initContainers": loader.Each(containerFields),
})

// podTemplateFields are the rules of the kinds add reads as workloads, by
// where their pod template is (add's template paths). A Pod is its own
// template: its metadata is the object's, which is kept whole.
var podTemplateFields = func() map[string]*loader.Fields {
	// at keeps only rule's field at path, in the mappings of path; the
	// object's own fields (metadata, for the checks of every object) stay.
	at := func(rule *loader.Fields, path ...string) *loader.Fields {
		for i := len(path) - 1; i >= 1; i-- {
			rule = loader.Only(map[string]*loader.Fields{path[i]: rule})
		}
		return loader.Within(map[string]*loader.Fields{path[0]: rule})
	}
	template := loader.Only(map[string]*loader.Fields{
		"metadata": loader.Only(map[string]*loader.Fields{"labels": nil, "annotations": nil}),
		"spec":     podSpecFields,
	})
	m := map[string]*loader.Fields{
		"Pod":     at(podSpecFields, "spec"),
		"CronJob": at(template, "spec", "jobTemplate", "spec", "template"),
	}
	for _, kind := range []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Rollout"} {
		m[kind] = at(template, "spec", "template")
	}
	return m
}()
