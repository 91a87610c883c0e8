package config

// Accept -update like every test binary, so `go test ./... -update` works.
import _ "github.com/meshlint/meshlint/internal/goldenflag"
