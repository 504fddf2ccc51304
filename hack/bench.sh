#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md: for each size, a fresh local control
# plane (hack/cluster.sh) in its own state dir, N pods under Deployments in
# 20 namespaces with 2% of them failing (kwok faults and unschedulable pods),
# then kubectl why timed side by side with the raw LIST (curl) and kubectl.
#
#   hack/bench.sh [--ci] [SIZES...]     default sizes: 1000 10000 30000
#
#   --ci            size 1000, 3 runs: a few minutes; fails only on errors,
#                   never on speed
#   RUNS=5          timed runs per command (median reported)
#   CHUNKS="500 1000 5000 0"  --chunk-size values tried at 10000 pods
#   BENCH_DIRECT=1  pin healthy pods to nodes (spec.nodeName) instead of
#                   going through kube-scheduler
#   KEEP=1          leave the last cluster running
#   WHY_ETCD=module etcd built from the Go module proxy (hack/etcd) instead
#                   of Debian's 3.4 (see hack/cluster.sh)
#   BENCH_CLUSTER_DIR  state dir (default _output/cluster-bench), never the
#                   e2e tests' cluster
#
# Results: _output/bench/result-N.{json,md} and _output/bench/report.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

ci=false
sizes=()
for a in "$@"; do
  case "$a" in
    --ci) ci=true ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *[!0-9]*|"") echo "bench: size $a is not a number" >&2; exit 2 ;;
    *) sizes+=("$a") ;;
  esac
done
if $ci; then
  [ "${#sizes[@]}" -gt 0 ] || sizes=(1000)
  RUNS="${RUNS:-3}"
  extra=false
else
  [ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000 30000)
  RUNS="${RUNS:-5}"
  extra=true
fi
CHUNKS="${CHUNKS:-500 1000 5000 0}"

OUT="$ROOT/_output/bench"
mkdir -p "$OUT/bin"
# Our own cluster, whatever WHY_CLUSTER_DIR the caller (hack/test.sh) set:
# the e2e tests' cluster holds their workloads and may still be in use.
export WHY_CLUSTER_DIR="${BENCH_CLUSTER_DIR:-$ROOT/_output/cluster-bench}"

log() { printf 'bench: %s\n' "$*" >&2; }
# GNU time measures each command's peak RSS (see hack/bench/measure.go).
if [ ! -x /usr/bin/time ]; then
  log "installing GNU time from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
for t in curl kubectl /usr/bin/time; do
  command -v "$t" >/dev/null || { log "$t is required"; exit 1; }
done

log "building kubectl-why (as make build) and the benchmark driver"
CGO_ENABLED=0 go build -ldflags "-s -w" -o "$OUT/bin/kubectl-why" ./cmd/kubectl-why
go build -o "$OUT/bin/bench" ./hack/bench

cleanup() {
  if [ "${KEEP:-}" = 1 ]; then
    log "KEEP=1: cluster left running: export KUBECONFIG=$WHY_CLUSTER_DIR/kubeconfig"
  else
    hack/cluster.sh down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

report="$OUT/report.md"
: >"$report"
for n in "${sizes[@]}"; do
  # kwok nodes allow 110 pods each: about 100 per node, like a busy cluster.
  nodes=$(( (n + 99) / 100 ))
  [ "$nodes" -ge 3 ] || nodes=3
  log "== $n pods on $nodes nodes: fresh cluster in $WHY_CLUSTER_DIR"
  hack/cluster.sh down >/dev/null 2>&1 || true
  # No real node: the benchmark measures kwok pods, and a kubelet would
  # only take CPU from the measurement and add a node to place pods on.
  WHY_REAL_NODE=0 WHY_NODES="$nodes" hack/cluster.sh up >/dev/null
  kc="$WHY_CLUSTER_DIR/kubeconfig"

  direct=()
  [ "${BENCH_DIRECT:-}" = 1 ] && direct=(-direct)
  "$OUT/bin/bench" create -kubeconfig "$kc" -size "$n" "${direct[@]}" -out "$OUT/create-$n.json" \
    -on-stall "WHY_CLUSTER_DIR='$WHY_CLUSTER_DIR' '$ROOT/hack/cluster.sh' restart-kwok"

  etcd_version="$(curl -fsS "http://127.0.0.1:$(sed -n 's/^etcd=//p' "$WHY_CLUSTER_DIR/ports")/version" |
    sed -n 's/.*"etcdserver":"\([^"]*\)".*/\1/p')"
  chunks=""
  if [ "$n" = 10000 ] || [ -n "${BENCH_CHUNKS_ALL:-}" ]; then chunks="${CHUNKS// /,}"; fi
  "$OUT/bin/bench" measure -kubeconfig "$kc" -pki "$WHY_CLUSTER_DIR/pki" -audit "$WHY_CLUSTER_DIR/audit.log" \
    -plugin "$OUT/bin/kubectl-why" -kubectl "$(command -v kubectl)" -cache-dir "$OUT/kubectl-cache" \
    -runs "$RUNS" -chunks "$chunks" -extra="$extra" -etcd-version "$etcd_version" \
    -create "$OUT/create-$n.json" -out "$OUT/result-$n.json" -md "$OUT/result-$n.md" >/dev/null
  cat "$OUT/result-$n.md" | tee -a "$report"
done
log "report: $report"
