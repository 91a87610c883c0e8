GO ?= go

.PHONY: help build test lint generate bench perf fuzz examples ci

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/meshlint
	$(GO) build -o bin/meshlint ./cmd/meshlint

test: ## run all tests (Rego unit tests, fixtures, graph, CLI)
	$(GO) test ./...

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

generate: ## regenerate committed generated files (docs, golden files)
	$(GO) generate ./...

bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

perf: ## the performance budget: meshlint vs the parse floor, crowded namespaces, formats, examples, Kustomize roots; medians of 5 (docs/performance.md)
	bash internal/benchgen/measure.sh

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@for t in $$($(GO) test -list 'Fuzz.*' ./internal/... | grep ^Fuzz); do \
	  pkg=$$(grep -rl "func $$t" internal | head -1 | xargs dirname); \
	  $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $${FUZZTIME:-30s} ./$$pkg || exit 1; \
	done

examples: ## lint the bundled examples
	$(GO) run ./cmd/meshlint ./examples

ci: ## what CI runs
	bash .ci/run
