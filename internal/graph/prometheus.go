package graph

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"

	"sigs.k8s.io/yaml"
)

const (
	annotationProxyConfig     = "proxy.istio.io/config"
	annotationUserVolumeMount = "sidecar.istio.io/userVolumeMount"
)

// CertExport is how a Prometheus pod asks its sidecar to write Istio certs
// into a shared volume (Istio's recipe, docs/model.md#cert-export).
type CertExport struct {
	ProxyConfigSet   bool
	ProxyConfigError string
	OutputCerts      string // proxyMetadata.OUTPUT_CERTS; "" when not set
	UserMountSet     bool
	UserMountError   string
	UserMounts       []VolumeMount // volumes mounted into istio-proxy
}

// ExportedCerts reads the Prometheus pod's annotations. Facts ask for it
// once per scrape, so it is read once and kept.
func (p *Prometheus) ExportedCerts() CertExport {
	if p.exported == nil {
		ce := p.readExportedCerts()
		p.exported = &ce
	}
	return *p.exported
}

func (p *Prometheus) readExportedCerts() CertExport {
	var ce CertExport
	if raw, ok := p.PodAnnotations[annotationProxyConfig]; ok {
		ce.ProxyConfigSet = true
		var cfg struct {
			ProxyMetadata map[string]string `json:"proxyMetadata"`
		}
		if err := yaml.Unmarshal([]byte(raw), &cfg); err != nil {
			ce.ProxyConfigError = fmt.Sprintf("annotation %s is not valid ProxyConfig YAML: %v", annotationProxyConfig, err)
		} else {
			ce.OutputCerts = cfg.ProxyMetadata["OUTPUT_CERTS"]
		}
	}
	if raw, ok := p.PodAnnotations[annotationUserVolumeMount]; ok {
		ce.UserMountSet = true
		mounts, err := parseUserVolumeMount(raw)
		if err != nil {
			ce.UserMountError = fmt.Sprintf("annotation %s is not valid JSON: %v", annotationUserVolumeMount, err)
		}
		ce.UserMounts = mounts
	}
	return ce
}

// parseUserVolumeMount accepts both forms Istio users write: a JSON array of
// {name, mountPath} (Istio's docs) or an object keyed by volume name (what
// the injection template ranges over).
func parseUserVolumeMount(raw string) ([]VolumeMount, error) {
	var list []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
	}
	if err := json.Unmarshal([]byte(raw), &list); err == nil {
		out := make([]VolumeMount, 0, len(list))
		for _, m := range list {
			out = append(out, VolumeMount{Name: m.Name, MountPath: m.MountPath})
		}
		return out, nil
	}
	var byName map[string]struct {
		MountPath string `json:"mountPath"`
	}
	if err := json.Unmarshal([]byte(raw), &byName); err != nil {
		return nil, err
	}
	var out []VolumeMount
	for _, name := range sortedKeys(byName) {
		out = append(out, VolumeMount{Name: name, MountPath: byName[name].MountPath})
	}
	return out, nil
}

// CertDirs are the directories where the Prometheus container sees the
// certs its sidecar exports: the mount paths of the volumes the sidecar
// writes to.
func (p *Prometheus) CertDirs() []string {
	ce := p.ExportedCerts()
	var dirs []string
	for _, um := range ce.UserMounts {
		for _, vm := range p.VolumeMounts {
			if vm.Name == um.Name && vm.MountPath != "" {
				dirs = append(dirs, vm.MountPath)
			}
		}
	}
	sort.Strings(dirs)
	return dirs
}

// MountCovering returns the Prometheus container mount whose path holds dir.
func (p *Prometheus) MountCovering(dir string) *VolumeMount {
	dir = path.Clean(dir)
	var best *VolumeMount
	for i := range p.VolumeMounts {
		vm := &p.VolumeMounts[i]
		mp := path.Clean(vm.MountPath)
		if vm.MountPath == "" {
			continue
		}
		if dir == mp || len(dir) > len(mp) && dir[:len(mp)] == mp && (mp == "/" || dir[len(mp)] == '/') {
			if best == nil || len(mp) > len(path.Clean(best.MountPath)) {
				best = vm
			}
		}
	}
	return best
}

// Volume returns the pod volume with the given name.
func (p *Prometheus) Volume(name string) *Volume {
	for i := range p.Volumes {
		if p.Volumes[i].Name == name {
			return &p.Volumes[i]
		}
	}
	return nil
}

// SamePath compares directory paths, ignoring trailing slashes.
func SamePath(a, b string) bool { return path.Clean(a) == path.Clean(b) }
