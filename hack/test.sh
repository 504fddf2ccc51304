#!/usr/bin/env bash
# The one test command (README, CI): unit tests, a short fuzz of every fuzz
# target, the generated docs check, the end-to-end tests on a real local
# control plane, the release check and the smallest benchmark. It installs
# what it needs (Go modules, Debian packages) and tears the cluster down.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "go vet"
go vet ./...
go vet -tags e2e ./test/e2e/

step "unit tests"
go test -count=1 ./...

step "fuzz (short)"
hack/fuzz.sh "${FUZZTIME:-10s}"

step "local control plane"
export WHY_CLUSTER_DIR="${WHY_CLUSTER_DIR:-$PWD/_output/cluster-test}"
trap 'hack/cluster.sh down >/dev/null 2>&1 || true' EXIT
hack/cluster.sh up

step "end-to-end tests (kubectl why against the local control plane)"
go test -tags e2e -count=1 -v -parallel 6 -timeout 40m ./test/e2e/ 2>&1 | tee _output/e2e.log | grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|PASS|FAIL|ok|e2e:)' || true
if ! grep -q '^ok' _output/e2e.log; then
  echo "e2e tests failed; full log in _output/e2e.log:" >&2
  grep -B2 -A40 -- '--- FAIL' _output/e2e.log | head -300 >&2 || tail -100 _output/e2e.log >&2
  exit 1
fi

if [ -x hack/bench.sh ]; then
  step "benchmark (smallest size)"
  hack/bench.sh --ci
fi

if [ -x hack/release-check.sh ]; then
  step "release check (goreleaser snapshot, krew manifests)"
  hack/release-check.sh
fi
echo
echo "all tests passed"
