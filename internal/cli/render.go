package cli

import (
	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/lint"
	"github.com/meshlint/meshlint/internal/render"
)

// renderFlags are the flags for the Helm charts in the input (Kustomize roots
// and HelmReleases need none: they carry their own settings).
type renderFlags struct {
	values           []string
	set              []string
	releaseName      string
	releaseNamespace string
	maxMemory        int64
	maxCPU           int64
	maxOutput        int64
}

func (r *renderFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&r.values, "values", nil, "values file for the Helm charts in the input, as helm's --values; repeatable, later files win")
	fs.StringArrayVar(&r.set, "set", nil, "value for the Helm charts in the input, as helm's --set (key=value, a.b=c, list={a,b}); repeatable")
	fs.StringVar(&r.releaseName, "release-name", "", "Helm release name the charts are rendered with (default: each chart's name)")
	fs.Int64Var(&r.maxMemory, "max-render-memory", render.DefaultMaxRenderMemory, "MiB of memory that rendering one Helm chart may use (its sandboxed renderer's address space); a chart over it is a render-error")
	fs.Int64Var(&r.maxCPU, "max-render-cpu", render.DefaultMaxRenderCPU, "seconds of CPU time that rendering one Helm chart may take; a chart over it is a render-error")
	fs.Int64Var(&r.maxOutput, "max-render-output", render.DefaultMaxRenderOutput, "bytes that one Helm chart's templates may render to; a chart over it is a render-error")
	fs.StringVar(&r.releaseNamespace, "release-namespace", "", "Helm release namespace: .Release.Namespace, and the namespace of rendered objects without one (default: --namespace)")
}

func (r *renderFlags) apply(opts *lint.Options) {
	opts.Render.ValueFiles = r.values
	opts.Render.Set = r.set
	opts.Render.ReleaseName = r.releaseName
	opts.Render.ReleaseNamespace = r.releaseNamespace
	opts.Render.MaxRenderMemory, opts.Render.MaxRenderCPU, opts.Render.MaxRenderOutput = r.maxMemory, r.maxCPU, r.maxOutput
}
