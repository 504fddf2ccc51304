# kubectl why: build, test and demo. `make test` is what CI runs.
SHELL := /bin/bash
PKG := github.com/kubectl-why/kubectl-why
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X $(PKG)/pkg/version.Version=$(VERSION) -X $(PKG)/pkg/version.Commit=$(COMMIT) -X $(PKG)/pkg/version.Date=$(DATE)

.PHONY: build test unit e2e fuzz docs check-docs demo cluster-up cluster-down bench release-check clean

## build: the plugin into bin/kubectl-why (put bin/ on PATH: kubectl why ...)
build:
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o bin/kubectl-why ./cmd/kubectl-why

## test: every test: unit, fuzz (briefly), docs check, e2e on the local control plane, release check, small benchmark
test:
	hack/test.sh

## unit: unit tests only (no cluster)
unit:
	go vet ./...
	go test ./...

## fuzz: each fuzz target for a short while
fuzz:
	hack/fuzz.sh 15s

## docs: regenerate docs/codes.md from the code table
docs:
	go run ./hack/gendocs > docs/codes.md

## e2e: start the local control plane (if needed) and run the end-to-end tests
e2e: cluster-up
	go test -tags e2e -count=1 -v -parallel 6 -timeout 30m ./test/e2e/

## demo: local control plane + broken demo workloads + kubectl why on them
demo: build
	hack/demo.sh

cluster-up:
	hack/cluster.sh up

cluster-down:
	hack/cluster.sh down

## bench: the benchmark of docs/benchmarks.md (SIZES="1000 10000 30000"; WHY_ETCD=module for etcd 3.7;
##        the competitors built beforehand by hack/bench/competitors.sh; NODES=100,5000 for the nodes scenario)
bench: build
	hack/bench.sh $(SIZES) $(if $(NODES),--nodes $(NODES))

release-check:
	hack/release-check.sh

clean:
	rm -rf bin dist
