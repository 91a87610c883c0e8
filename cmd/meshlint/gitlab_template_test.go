package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type gitlabJob struct {
	Stage        string            `yaml:"stage"`
	Image        string            `yaml:"image"`
	Variables    map[string]string `yaml:"variables"`
	BeforeScript []string          `yaml:"before_script"`
	Script       []string          `yaml:"script"`
	Artifacts    struct {
		When    string            `yaml:"when"`
		Reports map[string]string `yaml:"reports"`
		Paths   []string          `yaml:"paths"`
	} `yaml:"artifacts"`
}

func readGitLabTemplate(t *testing.T) gitlabJob {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot, "templates", "meshlint.gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("templates/meshlint.gitlab-ci.yml is not YAML: %v", err)
	}
	if len(doc) != 1 {
		t.Fatalf("the template defines %d top-level keys, want only the meshlint job (top-level variables would leak into every job of the including pipeline)", len(doc))
	}
	node, ok := doc["meshlint"]
	if !ok {
		t.Fatal("the template has no meshlint job")
	}
	var job gitlabJob
	if err := node.Decode(&job); err != nil {
		t.Fatalf("meshlint job: %v", err)
	}
	return job
}

func TestGitLabTemplateKeys(t *testing.T) {
	job := readGitLabTemplate(t)
	if job.Stage == "" || !strings.HasPrefix(job.Image, "golang:") {
		t.Errorf("stage %q, image %q: want a stage and a golang image", job.Stage, job.Image)
	}
	if job.Artifacts.When != "always" {
		t.Errorf("artifacts.when %q: a failing lint must still publish its reports", job.Artifacts.When)
	}
	script := strings.Join(append(append([]string{}, job.BeforeScript...), job.Script...), "\n")
	if regexp.MustCompile(`(^|[\s;&|(])git\s`).MatchString(script) {
		t.Errorf("the job runs git:\n%s", script)
	}
	for kind, format := range map[string]string{"codequality": "gitlab", "junit": "junit"} {
		file := job.Artifacts.Reports[kind]
		if file == "" {
			t.Errorf("artifacts.reports.%s is missing", kind)
			continue
		}
		if !strings.Contains(script, "--format "+format+" --output "+file) {
			t.Errorf("artifacts.reports.%s is %s, but the script does not write -f %s to it:\n%s", kind, file, format, script)
		}
	}
	for _, v := range []string{"MESHLINT_VERSION", "MESHLINT_PATHS", "MESHLINT_FAIL_ON", "MESHLINT_ARGS"} {
		if _, ok := job.Variables[v]; !ok {
			t.Errorf("variable %s is missing", v)
		}
	}
}

// TestGitLabTemplateScript runs the job's script as a GitLab shell runner
// would (bash, the job's variables in the environment), with a meshlint
// built from this tree in GOBIN, and checks the reports it leaves.
func TestGitLabTemplateScript(t *testing.T) {
	job := readGitLabTemplate(t)
	bin := meshlintBinary(t)
	work := t.TempDir()
	copyDir(t, filepath.Join(moduleRoot, "testdata", "report", "manifests"), filepath.Join(work, "manifests"))
	env := append(os.Environ(), "GOBIN="+bin, "CI_PROJECT_DIR="+work)
	for k, v := range job.Variables {
		if !strings.HasPrefix(k, "GO") {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "MESHLINT_PATHS=manifests")
	script := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(script, []byte(strings.Join(job.Script, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-e", script)
	cmd.Dir, cmd.Env = work, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("script: %v, want exit 1 for the findings in testdata/report/manifests\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "manifests/monitors.yaml:10:") {
		t.Errorf("no text finding in the job log:\n%s", out.String())
	}
	var issues []map[string]any
	b, err := os.ReadFile(filepath.Join(work, job.Artifacts.Reports["codequality"]))
	if err != nil || json.Unmarshal(b, &issues) != nil || len(issues) == 0 {
		t.Errorf("code quality report (%v): %s", err, b)
	}
	var suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Failures int      `xml:"failures,attr"`
	}
	b, err = os.ReadFile(filepath.Join(work, job.Artifacts.Reports["junit"]))
	if err != nil || xml.Unmarshal(b, &suites) != nil || suites.Failures == 0 {
		t.Errorf("junit report (%v): %s", err, b)
	}
}
