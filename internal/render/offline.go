package render

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
)

// Defence in depth behind the kustomization guard (guard.go): should a
// Kustomize code path that the guard does not know reach for the network or
// for Git, it still cannot act.
//
//   - Kustomize fetches http(s) files with a bare &http.Client{}, which
//     sends through http.DefaultTransport; that transport is replaced, once,
//     before the first build, by one that refuses every request. meshlint
//     is offline by contract: a remote file would also make a verdict
//     depend on what a server answers that day.
//   - Kustomize clones Git repositories by running "git" found on PATH;
//     cmd/meshlint empties PATH for the whole process (meshlint never runs
//     a program by name), so there is no git to find. It is done there, not
//     here, so that a program embedding this package keeps its PATH.

// offlineTransport is http.DefaultTransport once a Kustomize root has been
// built: it refuses every request.
type offlineTransport struct{}

func (offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, fmt.Errorf("meshlint works offline and does not fetch %s; vendor the file into the repository", req.URL.Redacted())
}

var offlineOnce sync.Once

// goOffline replaces http.DefaultTransport by offlineTransport, once.
func goOffline() {
	offlineOnce.Do(func() { http.DefaultTransport = offlineTransport{} })
}

// quietBuild silences Kustomize while builds run, and returns what
// restores the process's stderr and standard logger once the last build
// running is done (builds run in parallel, and both are process globals).
// Kustomize prints deprecation warnings to os.Stderr and notes
// ("well-defined vars that were never replaced: <names>") through the
// standard logger, whose writer was fixed when the process started; both
// carry text from the kustomization, escape sequences included, and
// neither says which file it is about, so neither reaches the terminal.
func quietBuild() (restore func()) {
	quiet.Lock()
	defer quiet.Unlock()
	if quiet.builds == 0 {
		quiet.restore = silence()
	}
	quiet.builds++
	return func() {
		quiet.Lock()
		defer quiet.Unlock()
		if quiet.builds--; quiet.builds == 0 {
			quiet.restore()
			quiet.restore = nil
		}
	}
}

// quiet counts the builds running, which share one silence.
var quiet struct {
	sync.Mutex
	builds  int
	restore func()
}

// silence sends the standard logger and os.Stderr nowhere, and returns
// what puts them back.
func silence() (restore func()) {
	savedLog, savedFlags, savedPrefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(buildLog{})
	log.SetFlags(0) // a panic message without the time: output is deterministic
	log.SetPrefix("")
	savedErr := os.Stderr
	sink, closeSink := stderrSink()
	if sink != nil {
		os.Stderr = sink
	}
	return func() {
		if sink != nil {
			os.Stderr = savedErr
			closeSink()
		}
		log.SetOutput(savedLog)
		log.SetFlags(savedFlags)
		log.SetPrefix(savedPrefix)
	}
}

// stderrSink is a file that swallows what is written to it: /dev/null, or
// a drained pipe where there is none.
func stderrSink() (*os.File, func()) {
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		return null, func() { null.Close() }
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil
	}
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, r)
		r.Close()
		close(done)
	}()
	return w, func() { w.Close(); <-done }
}

// buildLog is the standard logger's writer during a build: it drops what
// Kustomize logs, except a log.Fatal, which would exit the process from
// inside a library call: that becomes a panic, which the build turns into
// a render-error for its root, and the other files are still linted.
type buildLog struct{}

func (buildLog) Write(p []byte) (int, error) {
	if calledByLogFatal() {
		panic("Kustomize gave up: " + strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func calledByLogFatal() bool {
	var pcs [32]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	for {
		f, more := frames.Next()
		switch f.Function {
		case "log.Fatal", "log.Fatalf", "log.Fatalln", "log.(*Logger).Fatal", "log.(*Logger).Fatalf", "log.(*Logger).Fatalln":
			return true
		}
		if !more {
			return false
		}
	}
}
