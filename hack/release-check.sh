#!/usr/bin/env bash
# The release check: what a tag would publish, built here without a tag.
#  1. installs GoReleaser (pinned) into _output/bin if it is missing;
#  2. validates .goreleaser.yaml and builds a snapshot into dist/ (every
#     platform, archives and checksums, as a release would);
#  3. re-renders plugins/why.yaml from .krew.yaml and dist/checksums.txt,
#     then tests both manifests against the archives (test/release);
#  4. unpacks the linux/amd64 archive and runs it through kubectl, as krew
#     would install it: `kubectl why version` and a completion.
# Nothing is published. dist/ is gitignored.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=v2.15.1
BIN="$PWD/_output/bin"
GORELEASER="$BIN/goreleaser"

step() { printf '\n==> %s\n' "$*"; }
now() { date +%s; }

step "goreleaser $GORELEASER_VERSION"
if ! "$GORELEASER" --version 2>/dev/null | grep -q "GitVersion: *$GORELEASER_VERSION\$"; then
  start=$(now)
  mkdir -p "$BIN"
  GOBIN="$BIN" go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
  echo "installed goreleaser $GORELEASER_VERSION into _output/bin in $(( $(now) - start ))s"
else
  echo "cached in _output/bin"
fi

step "goreleaser check"
"$GORELEASER" check

step "goreleaser snapshot (dist/)"
start=$(now)
# Two builds at a time: the machine (and CI) has two cores.
"$GORELEASER" release --snapshot --clean --parallelism 2
echo "snapshot built in $(( $(now) - start ))s"
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
[ -n "$version" ] || { echo "dist/metadata.json has no version" >&2; exit 1; }
ls -l dist/*.tar.gz dist/*.zip dist/checksums.txt

step "krew manifests against the archives (test/release)"
go vet -tags release ./test/release/
# The archives' digests change with every commit (the binary carries it),
# so plugins/why.yaml is re-rendered for this snapshot before it is tested.
go test -tags release -count=1 -run 'TestPluginManifestAgainstSnapshot$' ./test/release/ -args -update
go test -tags release -count=1 -v ./test/release/ 2>&1 | tee _output/release-test.log | grep -E '^(--- |FAIL|ok|PASS)' || true
if ! grep -q '^ok' _output/release-test.log; then
  echo "release tests failed; full log in _output/release-test.log:" >&2
  grep -v -E '^\s+--- PASS|^=== RUN' _output/release-test.log | tail -80 >&2
  exit 1
fi

step "kubectl why, installed from the linux/amd64 archive"
archive="dist/kubectl-why_v${version}_linux_amd64.tar.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$archive" -C "$tmp"
out=$(PATH="$tmp:$PATH" kubectl why version)
echo "$out"
case "$out" in
  *"kubectl-why v$version "*) ;;
  *) echo "kubectl why version did not print the stamped version v$version" >&2; exit 1 ;;
esac
# kubectl (>= 1.26) asks kubectl_complete-why for completions.
comps=$(PATH="$tmp:$PATH" kubectl __complete why "" 2>/dev/null)
if ! grep -qx 'deployment' <<<"$comps"; then
  echo "kubectl __complete why \"\" did not reach kubectl_complete-why; it printed:" >&2
  echo "$comps" >&2
  exit 1
fi
echo "completion through kubectl_complete-why: $(grep -v '^:' <<<"$comps" | cut -f1 | tr '\n' ' ')"

echo
echo "release check passed: $archive and 5 more; plugins/why.yaml re-rendered for v$version"
