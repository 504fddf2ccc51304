#!/usr/bin/env bash
# Builds the tools a user would pick instead of kubectl why, from source
# folders outside this repository, into _output/bench/competitors/, for
# hack/bench.sh to run beside kubectl why (issue 16). Their code is never
# committed here, and CI never runs this: without the binaries the benchmark
# says "not built" and goes on.
#
#   hack/bench/competitors.sh [NAME...]    default: every tool below
#
#   COMPETITORS_SRC=/tmp/competitors/src   one folder per tool (SRC/NAME), a
#                   checkout of its repository. A missing folder is filled
#                   from a bare git mirror when one exists (the session's
#                   fetch tool leaves them in COMPETITORS_MIRROR, default
#                   /work/.mirror/OWNER+REPO/repo), with `git archive`.
#   GOTOOLCHAIN     passed on, for a module that wants a newer Go.
#
# For each tool it writes _output/bench/competitors/NAME (the binary) and
# NAME.txt: "built", the commit and version, or "failed" and the last lines
# of the build's error, which docs/benchmarks.md quotes.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/_output/bench/competitors"
SRC="${COMPETITORS_SRC:-/tmp/competitors/src}"
MIRROR="${COMPETITORS_MIRROR:-/work/.mirror}"
mkdir -p "$OUT" "$SRC"
log() { printf 'competitors: %s\n' "$*" >&2; }

# name | owner/repo | package to build | -X flags (%V version, %C commit)
TOOLS=(
  "kubectl-status|bergerx/kubectl-status|./cmd|-X main.version=%V -X main.commit=%C"
  "k8sgpt|k8sgpt-ai/k8sgpt|.|-X main.version=%V -X main.commit=%C"
  "kube-health|iNecas/kube-health|.|-X github.com/inecas/kube-health/cmd.Version=%V -X github.com/inecas/kube-health/cmd.Commit=%C"
  "popeye|derailed/popeye|.|-X github.com/derailed/popeye/cmd.version=%V -X github.com/derailed/popeye/cmd.commit=%C"
)

# checkout fills SRC/NAME from the bare mirror of owner/repo and records
# its commit and `git describe` in SRC/NAME/.bench-source.
checkout() { # name owner/repo
  local dir="$SRC/$1" git="$MIRROR/${2/\//+}/repo"
  [ -d "$dir" ] && return 0
  if [ ! -d "$git" ]; then
    log "$1: no source in $dir and no mirror in $git"
    return 1
  fi
  mkdir -p "$dir"
  git --git-dir="$git" archive HEAD | tar -x -C "$dir" || return 1
  printf 'commit=%s\nversion=%s\n' "$(git --git-dir="$git" rev-parse HEAD)" \
    "$(git --git-dir="$git" describe --tags --always HEAD 2>/dev/null)" >"$dir/.bench-source"
}

want=("$@")
for t in "${TOOLS[@]}"; do
  IFS='|' read -r name repo pkg xflags <<<"$t"
  if [ "${#want[@]}" -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then continue; fi
  info="$OUT/$name.txt"
  if ! checkout "$name" "$repo"; then
    rm -f "$OUT/$name"
    printf 'status=failed\nrepo=%s\nerror=no source folder %s\n' "$repo" "$SRC/$name" >"$info"
    continue
  fi
  commit="" version=""
  if [ -f "$SRC/$name/.bench-source" ]; then
    commit="$(sed -n 's/^commit=//p' "$SRC/$name/.bench-source")"
    version="$(sed -n 's/^version=//p' "$SRC/$name/.bench-source")"
  elif [ -d "$SRC/$name/.git" ]; then
    commit="$(git -C "$SRC/$name" rev-parse HEAD)"
    version="$(git -C "$SRC/$name" describe --tags --always HEAD 2>/dev/null)"
  fi
  x="${xflags//%V/$version}"
  x="${x//%C/$commit}"
  log "building $name $version ($repo) in $SRC/$name"
  start=$(date +%s)
  # Built beside the old binary and renamed over it, so that a benchmark
  # running meanwhile never finds it missing.
  if errs="$(cd "$SRC/$name" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $x" -o "$OUT/.$name.new" "$pkg" 2>&1)"; then
    mv -f "$OUT/.$name.new" "$OUT/$name"
    printf 'status=built\nrepo=%s\ncommit=%s\nversion=%s\ngo=%s\nbuild_seconds=%s\n' \
      "$repo" "$commit" "$version" "$(go env GOVERSION)" "$(($(date +%s) - start))" >"$info"
    log "$name: built in $(($(date +%s) - start)) s"
  else
    rm -f "$OUT/$name" "$OUT/.$name.new"
    # The error as go printed it, last lines only, on one line for the docs.
    printf 'status=failed\nrepo=%s\ncommit=%s\nversion=%s\nerror=%s\n' \
      "$repo" "$commit" "$version" "$(printf '%s\n' "$errs" | tail -n 5 | tr '\n' ' ' | sed 's/ *$//')" >"$info"
    log "$name: build failed: $(printf '%s\n' "$errs" | tail -n 5)"
  fi
done
