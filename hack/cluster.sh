#!/usr/bin/env bash
# The local control plane for tests and demos, on loopback only:
# etcd (Debian's), kube-apiserver, kube-controller-manager and kube-scheduler
# built from k8s.io/kubernetes (hack/tools pins the version), and kwok
# standing in for the kubelets of a few fake nodes, with Stages (hack/kwok)
# that reproduce what one local kubelet cannot (node loss, evictions under
# pressure, thousands of pods). Beside them one real node (hack/realnode/
# node.sh): a kubelet, containerd and runc, with two registries on loopback,
# for the kubelet-side failures in the kubelet's own words.
#
#   hack/cluster.sh up       start (idempotent); prints export KUBECONFIG=...
#   hack/cluster.sh down     stop everything and remove the state dir
#   hack/cluster.sh status   what runs, on which ports
#   hack/cluster.sh env      the export line
#   hack/cluster.sh restart-kwok  kwok lists every pod afresh (see below)
#
# State lives in $WHY_CLUSTER_DIR (default _output/cluster); binaries are
# cached in _output/bin so a second `up` takes seconds.
#
# WHY_ETCD=module runs etcd built from the Go module proxy (hack/etcd pins
# the version) instead of Debian's 3.4: the benchmark uses it to measure
# what a current etcd changes. Tests keep Debian's.
# WHY_REAL_NODE=0 starts no real node (the benchmark's clusters).
# WHY_KWOK_BACKOFF_SECONDS (default: the stages' own 12-20 s) is how long
# kwok's crash-looping and image-failing pods wait before the next attempt.
# WHY_KWOK_LEASE_SECONDS (default 40) is the kwok nodes' lease duration; it
# renews every quarter of it. The benchmark's 5,000-node cluster lengthens
# it (and the controller manager's grace period with it), or the renewals
# alone would keep 2 cores busy.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/_output/bin"
STATE="${WHY_CLUSTER_DIR:-$ROOT/_output/cluster}"
KUBE_VERSION="v1.37.2"
KWOK_VERSION="v0.8.0"
NODES="${WHY_NODES:-3}"
LEASE="${WHY_KWOK_LEASE_SECONDS:-40}"
ETCD="etcd"
case "${WHY_ETCD:-debian}" in
  debian) ;;
  module) ETCD="$BIN/etcd-$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" {print $3}' "$ROOT/hack/etcd/go.mod")" ;;
  *) printf 'cluster: WHY_ETCD=%s: want debian or module\n' "$WHY_ETCD" >&2; exit 2 ;;
esac

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=hack/realnode/node.sh
. "$ROOT/hack/realnode/node.sh"

# ensure_binaries builds what is missing, once; everything is cached.
ensure_binaries() {
  mkdir -p "$BIN"
  local missing=()
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    [ -x "$BIN/$c" ] || missing+=("k8s.io/kubernetes/cmd/$c")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "building ${missing[*]} $KUBE_VERSION (about 6 minutes on 2 cores, once)"
    (cd "$ROOT/hack/tools" && go build -o "$BIN/" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION" "${missing[@]}")
  fi
  if [ ! -x "$BIN/kwok" ]; then
    log "installing kwok $KWOK_VERSION"
    GOBIN="$BIN" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  fi
  if [ "$ETCD" != etcd ]; then
    if [ ! -x "$ETCD" ]; then
      log "building $(basename "$ETCD") from the Go module proxy (under a minute, once)"
      (cd "$ROOT/hack/etcd" && go build -o "$ETCD" .)
    fi
  elif ! command -v etcd >/dev/null 2>&1; then
    log "installing etcd from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq etcd-server >/dev/null
    # Debian starts its own etcd on the default ports; ours uses others.
    (systemctl stop etcd || service etcd stop || true) >/dev/null 2>&1
  fi
  command -v openssl >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq openssl >/dev/null; }
  if [ "${WHY_REAL_NODE:-1}" = 1 ]; then ensure_node_binaries; fi
}

# free_port asks the kernel for a free loopback port, so that two clusters
# (a developer's and CI's) never fight over one.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

healthy() {
  [ -f "$STATE/kubeconfig" ] || return 1
  kubectl --kubeconfig "$STATE/kubeconfig" get --raw /readyz >/dev/null 2>&1
}

start() { # name, command...
  local name="$1"; shift
  # Debian's etcd (3.4.23) cannot serve watch progress requests, which the
  # streaming watch-list of client-go needs: without this, informers keep a
  # stale cache and kwok's lease renewals conflict until nodes go NotReady.
  KUBE_FEATURE_WatchListClient=false "$@" >"$STATE/logs/$name.log" 2>&1 &
  echo $! >"$STATE/pids/$name"
}

alive() { # name
  local pid
  pid="$(cat "$STATE/pids/$1" 2>/dev/null)" || return 1
  kill -0 "$pid" 2>/dev/null
}

wait_for() { # what, seconds, command...
  local what="$1" secs="$2"; shift 2
  local i
  for ((i = 0; i < secs * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    for p in "$STATE"/pids/*; do
      [ -e "$p" ] || continue
      local n; n="$(basename "$p")"
      if ! alive "$n"; then
        log "$n died while waiting for $what; last lines of its log:"
        tail -n 30 "$STATE/logs/$n.log" >&2
        exit 1
      fi
    done
    sleep 0.25
  done
  die "timed out after ${secs}s waiting for $what"
}

certs() {
  local d="$STATE/pki"
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout ca.key -out ca.crt -subj "/CN=why-local-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,IP:10.96.0.1\n' >san.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile san.ext -out apiserver.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/CN=admin/O=system:masters" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

kubeconfig() { # port
  cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: why-local
  cluster:
    server: https://127.0.0.1:$1
    certificate-authority: $STATE/pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $STATE/pki/admin.crt
    client-key: $STATE/pki/admin.key
contexts:
- name: why-local
  context: {cluster: why-local, user: admin, namespace: default}
current-context: why-local
EOF
}

# stages writes the kwok Stage configs: upstream's normal lifecycle for
# pods without the why.test/fault annotation, and ours for each fault.
stages() {
  # WHY_KWOK_BACKOFF_SECONDS replaces the waits of the back-off stages
  # (crash loops restarting, image pulls retried: 12 s and 20 s, quick for
  # tests) with the kubelet's cap, where a long-failing pod sits. kwok
  # replays each of them as patches and events, so at 30,000 pods the quick
  # waits keep a core busy that a real cluster would not.
  awk -v ms="$((${WHY_KWOK_BACKOFF_SECONDS:-0} * 1000))" '
    /^  name: / { stage = $2 }
    ms > 0 && stage ~ /-(restart|retry)$/ && $1 == "durationMilliseconds:" { sub(/[0-9]+$/, ms) }
    { print }' "$ROOT"/hack/kwok/*.yaml >"$STATE/kwok-stages.yaml"
}

nodes() {
  local zones=(zone-a zone-b zone-c) i
  for ((i = 0; i < NODES; i++)); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: ${zones[$((i % 3))]}
    type: kwok
status:
  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
EOF
  done
}

up() {
  if healthy; then
    log "already up"
    echo "export KUBECONFIG=$STATE/kubeconfig"
    return 0
  fi
  [ -d "$STATE" ] && down_quiet
  ensure_binaries
  mkdir -p "$STATE"/{logs,pids,etcd}
  certs
  local etcd_port peer_port api_port
  etcd_port="$(free_port)"; peer_port="$(free_port)"; api_port="$(free_port)"
  printf 'etcd=%s\netcd_peer=%s\napiserver=%s\n' "$etcd_port" "$peer_port" "$api_port" >"$STATE/ports"

  start etcd "$ETCD" --name why --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "why=http://127.0.0.1:$peer_port" --quota-backend-bytes 8589934592 \
    --log-level warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$etcd_port/health"

  cat >"$STATE/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
# Metadata for every request: who, which verb, which resource. Tests read it
# to prove the plugin only reads.
omitStages: ["RequestReceived"]
rules:
- level: Metadata
EOF
  # InternalIP first: the real node's Hostname address (why-real-node)
  # resolves nowhere, and looking it up would send a DNS query off the machine.
  start kube-apiserver "$BIN/kube-apiserver" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --cert-dir "$STATE/pki" --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
    --client-ca-file "$STATE/pki/ca.crt" \
    --service-account-key-file "$STATE/pki/sa.pub" --service-account-signing-key-file "$STATE/pki/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc" \
    --authorization-mode Node,RBAC --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true \
    --endpoint-reconciler-type none \
    --audit-policy-file "$STATE/audit-policy.yaml" --audit-log-path "$STATE/audit.log" \
    --audit-log-mode batch --audit-log-batch-max-wait 1s --audit-log-maxsize 500 \
    --max-requests-inflight 2000 --max-mutating-requests-inflight 1000 \
    --enable-priority-and-fairness=false --feature-gates=WatchList=false \
    --kubelet-preferred-address-types InternalIP,Hostname
  kubeconfig "$api_port"
  wait_for kube-apiserver 90 kubectl --kubeconfig "$STATE/kubeconfig" get --raw /readyz

  # High client QPS: the benchmarks create tens of thousands of pods.
  # Longer kwok leases need a grace period at least as long, or every
  # node would go NotReady between two renewals.
  local grace=()
  [ "$LEASE" = 40 ] || grace=(--node-monitor-grace-period "${LEASE}s")
  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/kubeconfig" --bind-address 127.0.0.1 --secure-port 0 \
    --leader-elect=false --controllers '*' \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/ca.crt" \
    --use-service-account-credentials=false "${grace[@]}" \
    --kube-api-qps 1000 --kube-api-burst 2000 --concurrent-replicaset-syncs 10 --concurrent-deployment-syncs 10
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$STATE/kubeconfig" --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --kube-api-qps 1000 --kube-api-burst 2000
  stages
  start_kwok

  nodes | kubectl --kubeconfig "$STATE/kubeconfig" apply -f - >/dev/null
  wait_for "nodes Ready" 60 bash -c "[ \"\$(kubectl --kubeconfig '$STATE/kubeconfig' get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}' | grep -c True)\" = $NODES ]"
  wait_for "default serviceaccount" 60 kubectl --kubeconfig "$STATE/kubeconfig" get serviceaccount default -n default
  up_node "$api_port"
  local real=""
  [ "${WHY_REAL_NODE:-1}" = 1 ] && real=", real node $REAL_NODE_NAME"
  log "up: kube-apiserver https://127.0.0.1:$api_port, $NODES kwok nodes$real, audit log $STATE/audit.log"
  echo "export KUBECONFIG=$STATE/kubeconfig"
}

start_kwok() {
  start kwok "$BIN/kwok" --kubeconfig "$STATE/kubeconfig" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --config "$STATE/kwok-stages.yaml" --server-address "127.0.0.1:$(free_port)" \
    --cidr 10.0.0.0/16 --node-ip 10.1.0.1 --node-lease-duration-seconds "$LEASE"
}

# restart_kwok stops kwok, frees its node leases and starts it again, so
# that it lists every pod afresh. At tens of thousands of pods kwok leaves
# some pods Pending for good (on Debian's etcd 3.4 its watch misses them; at
# 30,000 pods on etcd 3.7 too): the benchmark calls this when pods stop
# settling.
restart_kwok() {
  [ -d "$STATE" ] || die "not running"
  if alive kwok; then
    kill "$(cat "$STATE/pids/kwok")" 2>/dev/null || true
    local i
    for ((i = 0; i < 40; i++)); do alive kwok || break; sleep 0.25; done
    if alive kwok; then kill -9 "$(cat "$STATE/pids/kwok")" 2>/dev/null || true; fi
  fi
  # A kwok names itself anew at each start, and no kwok takes a lease
  # another holds until it expires (1200 s in the benchmark): without this
  # the new kwok would manage no node for that long. The nodes stay Ready:
  # the node controller counts from the last renewal it saw.
  kubectl --kubeconfig "$STATE/kubeconfig" get leases -n kube-node-lease -o name |
    grep '/kwok-node-' | xargs -r kubectl --kubeconfig "$STATE/kubeconfig" delete -n kube-node-lease --wait=false >/dev/null || true
  # Keep what the stopped kwok said: it is why it was restarted.
  [ -f "$STATE/logs/kwok.log" ] && mv "$STATE/logs/kwok.log" "$STATE/logs/kwok.$(date +%s).log"
  start_kwok
  log "kwok restarted"
}

down_quiet() {
  local p
  down_node
  for p in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    if [ -f "$STATE/pids/$p" ]; then
      kill "$(cat "$STATE/pids/$p")" 2>/dev/null || true
    fi
  done
  for p in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    local i
    for ((i = 0; i < 40; i++)); do alive "$p" || break; sleep 0.25; done
    if alive "$p"; then kill -9 "$(cat "$STATE/pids/$p")" 2>/dev/null || true; fi
  done
  rm -rf "$STATE"
}

down() {
  [ -d "$STATE" ] || { log "not running"; return 0; }
  down_quiet
  log "down"
}

status() {
  if [ ! -d "$STATE" ]; then log "not running"; return 1; fi
  local p
  for p in etcd kube-apiserver kube-controller-manager kube-scheduler kwok registry-open registry-auth containerd kubelet; do
    [ -f "$STATE/pids/$p" ] || continue
    if alive "$p"; then echo "$p running (pid $(cat "$STATE/pids/$p"))"; else echo "$p NOT running"; fi
  done
  cat "$STATE/ports"
  healthy && echo "apiserver ready" || { echo "apiserver NOT ready"; return 1; }
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) echo "export KUBECONFIG=$STATE/kubeconfig" ;;
  restart-kwok) restart_kwok ;;
  *) echo "usage: $0 up|down|status|env|restart-kwok" >&2; exit 2 ;;
esac
