package graph

import "github.com/meshlint/meshlint/internal/loader"

// ReadsFields gives, for loader.Options.Fields, the fields the graph reads
// of an object of a kind, so that the loader builds only those: of a
// workload's pod spec, what addWorkload reads (hostNetwork and the
// containers' names, ports and restart policies). The rest of a pod spec
// (env, probes, resources, security contexts, volumes) is most of a
// repository's decoded text, and nothing here looks at it. nil keeps an
// object whole. TestReadsFieldsLeavesOutOnlyWhatIsNotRead holds it to what
// read does: it fails when read starts to look at a field left out here.
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
// where their pod spec is (add's template paths, plus "/spec").
var podTemplateFields = func() map[string]*loader.Fields {
	// at wraps rule in the mappings of path, keeping their other fields.
	at := func(rule *loader.Fields, path ...string) *loader.Fields {
		for i := len(path) - 1; i >= 0; i-- {
			rule = loader.Within(map[string]*loader.Fields{path[i]: rule})
		}
		return rule
	}
	template := at(podSpecFields, "spec", "template", "spec")
	m := map[string]*loader.Fields{
		"Pod":     at(podSpecFields, "spec"),
		"CronJob": at(podSpecFields, "spec", "jobTemplate", "spec", "template", "spec"),
	}
	for _, kind := range []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Rollout"} {
		m[kind] = template
	}
	return m
}()
