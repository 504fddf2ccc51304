#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md: for each size, a fresh local control
# plane (hack/cluster.sh) in its own state dir, N pods under Deployments in
# 20 namespaces with 2% of them failing (kwok faults and unschedulable pods),
# then kubectl why timed side by side with the raw LIST (curl), kubectl, and
# the tools people use instead (hack/bench/competitors.sh builds them).
#
#   hack/bench.sh [--ci] [SIZES...]     default sizes: 1000 10000 30000
#   hack/bench.sh --nodes 100,5000      why deploy/one beside that many nodes
#
#   --ci            size 1000, 3 runs, no competitors: a few minutes; fails
#                   only on errors, never on speed
#   --nodes LIST    for each node count, a cluster of that many kwok nodes
#                   and 500 pods: why deploy/one and describe, their
#                   requests and bytes (kwok leases last 1200 s in every
#                   benchmark cluster, see WHY_KWOK_LEASE_SECONDS below)
#   RUNS=5          timed runs per command (median reported)
#   CHUNKS="500 1000 5000 0"  --chunk-size values tried at 10000 pods
#   BENCH_COMPETITORS=0  leave the competitors out (they are in by default,
#                   except with --ci; one not built is reported "not built")
#   COMPETITOR_TIMEOUT=120s  time limit of each competitor run
#   BENCH_WAIT=120  also run `why deploy/one --wait` for that many seconds
#                   at each size and count its requests and bytes
#   BENCH_PROFILE=1 also profile `why pod -A --failing` in-process (CPU and
#                   allocations) at each size: _output/bench/profile-N/
#   BENCH_DIRECT=1  pin healthy pods to nodes (spec.nodeName) instead of
#                   going through kube-scheduler
#   KEEP=1          leave the last cluster running
#   WHY_KWOK_BACKOFF_SECONDS=300  crash loops and image pulls back off as
#                   a kubelet's do at their cap, instead of every 12-20 s
#                   (see hack/cluster.sh): a quieter cluster at 30,000 pods
#   WHY_ETCD=module etcd built from the Go module proxy (hack/etcd) instead
#                   of Debian's 3.4 (see hack/cluster.sh)
#   BENCH_CLUSTER_DIR  state dir (default _output/cluster-bench), never the
#                   e2e tests' cluster
#   BENCH_OUT       results dir (default _output/bench), for two runs at once
#
# Results: _output/bench/result-N.{json,md} and _output/bench/report.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

ci=false
sizes=()
node_counts=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) ci=true ;;
    --nodes) node_counts="${2:?--nodes needs a list, e.g. 100,5000}"; shift ;;
    --nodes=*) node_counts="${1#--nodes=}" ;;
    -h|--help) sed -n '2,38p' "$0"; exit 0 ;;
    *[!0-9]*|"") echo "bench: size $1 is not a number" >&2; exit 2 ;;
    *) sizes+=("$1") ;;
  esac
  shift
done
competitors="${BENCH_COMPETITORS:-1}"
if $ci; then
  [ "${#sizes[@]}" -gt 0 ] || sizes=(1000)
  RUNS="${RUNS:-3}"
  extra=false
  competitors=0 # CI never fetches or builds them
else
  [ "${#sizes[@]}" -gt 0 ] || [ -n "$node_counts" ] || sizes=(1000 10000 30000)
  RUNS="${RUNS:-5}"
  extra=true
fi
CHUNKS="${CHUNKS:-500 1000 5000 0}"

# Long kwok leases at every size: 40 s leases are renewed every 10 s, 30
# writes a second at 300 nodes, background load on the 2 cores being
# measured; at 5,000 nodes the renewals alone would fill them. A stalled
# kwok is restarted with its leases freed (hack/cluster.sh restart-kwok).
export WHY_KWOK_LEASE_SECONDS="${WHY_KWOK_LEASE_SECONDS:-1200}"

OUT="${BENCH_OUT:-$ROOT/_output/bench}"
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

comp_args=()
if [ "$competitors" = 1 ]; then
  # Built beforehand by hack/bench/competitors.sh; absent ones say "not built".
  comp_args=(-competitors "$ROOT/_output/bench/competitors" -competitor-timeout "${COMPETITOR_TIMEOUT:-120s}")
fi

# fresh_cluster NODES: a new control plane with that many kwok nodes.
fresh_cluster() {
  hack/cluster.sh down >/dev/null 2>&1 || true
  # No real node: the benchmark measures kwok pods, and a kubelet would
  # only take CPU from the measurement and add a node to place pods on.
  WHY_REAL_NODE=0 WHY_NODES="$1" hack/cluster.sh up >/dev/null
}

# measure KEY [bench measure flags...]: the side-by-side runs on the
# cluster created as create-KEY.json, written to result-KEY.{json,md}.
measure() {
  local key="$1"; shift
  local etcd_version
  etcd_version="$(curl -fsS "http://127.0.0.1:$(sed -n 's/^etcd=//p' "$WHY_CLUSTER_DIR/ports")/version" |
    sed -n 's/.*"etcdserver":"\([^"]*\)".*/\1/p')"
  "$OUT/bin/bench" measure -kubeconfig "$kc" -pki "$WHY_CLUSTER_DIR/pki" -audit "$WHY_CLUSTER_DIR/audit.log" \
    -plugin "$OUT/bin/kubectl-why" -kubectl "$(command -v kubectl)" -cache-dir "$OUT/kubectl-cache" \
    -runs "$RUNS" -etcd-version "$etcd_version" -create "$OUT/create-$key.json" \
    -out "$OUT/result-$key.json" -md "$OUT/result-$key.md" "$@" >/dev/null
  tee -a "$report" <"$OUT/result-$key.md"
}

create() { # N [bench create flags...]
  local n="$1" direct=()
  shift
  [ "${BENCH_DIRECT:-}" = 1 ] && direct=(-direct)
  "$OUT/bin/bench" create -kubeconfig "$kc" -size "$n" "${direct[@]}" -out "$OUT/create-$n.json" \
    -on-stall "WHY_CLUSTER_DIR='$WHY_CLUSTER_DIR' '$ROOT/hack/cluster.sh' restart-kwok" "$@"
}

report="$OUT/report.md"
: >"$report"
kc="$WHY_CLUSTER_DIR/kubeconfig"
for n in "${sizes[@]}"; do
  # kwok nodes allow 110 pods each: about 100 per node, like a busy cluster.
  nodes=$(( (n + 99) / 100 ))
  [ "$nodes" -ge 3 ] || nodes=3
  log "== $n pods on $nodes nodes: fresh cluster in $WHY_CLUSTER_DIR"
  fresh_cluster "$nodes"
  create "$n"
  chunks=""
  if [ "$n" = 10000 ] || [ -n "${BENCH_CHUNKS_ALL:-}" ]; then chunks="${CHUNKS// /,}"; fi
  measure "$n" -chunks "$chunks" -extra="$extra" "${comp_args[@]}"
  if [ "${BENCH_WAIT:-0}" -gt 0 ]; then
    log "why deploy/one --wait for ${BENCH_WAIT}s beside $n pods"
    "$OUT/bin/bench" wait -kubeconfig "$kc" -audit "$WHY_CLUSTER_DIR/audit.log" -plugin "$OUT/bin/kubectl-why" \
      -seconds "$BENCH_WAIT" -size "$n" -out "$OUT/wait-$n.json" -md "$OUT/wait-$n.md" >/dev/null
    tee -a "$report" <"$OUT/wait-$n.md"
  fi
  if [ "${BENCH_PROFILE:-}" = 1 ]; then
    log "profiling why pod -A --failing beside $n pods"
    "$OUT/bin/bench" profile -kubeconfig "$kc" -audit "$WHY_CLUSTER_DIR/audit.log" -runs "$RUNS" \
      -dir "$OUT/profile-$n" -md "$OUT/profile-$n.md" -- pod -A --failing >/dev/null
    tee -a "$report" <"$OUT/profile-$n.md"
  fi
done

# The nodes scenario: the same small workload beside 100 or 5,000 nodes;
# what a question about one deployment costs must not grow with them.
if [ -n "$node_counts" ]; then
  results=()
  for nodes in ${node_counts//,/ }; do
    log "== 500 pods on $nodes nodes: fresh cluster in $WHY_CLUSTER_DIR"
    # cluster.sh's 3 nodes, then the rest posted concurrently by bench
    # (kubectl apply sends 5,000 nodes one at a time).
    fresh_cluster 3
    create 500 -nodes "$nodes"
    # The node count keys the result files.
    cp "$OUT/create-500.json" "$OUT/create-nodes-$nodes.json"
    measure "nodes-$nodes" -only raw-nodes,one-big,describe-big,one-solo,describe-solo
    results+=("$OUT/result-nodes-$nodes.json")
  done
  "$OUT/bin/bench" nodes "${results[@]}" | tee -a "$report"
fi
log "report: $report"
