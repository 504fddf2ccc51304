# The real node of hack/cluster.sh (sourced by it; not run alone).
#
# One kubelet beside the kwok nodes, so that the kubelet-side failures the
# plugin explains (image pulls, crash loops, exit codes, OOM kills, probes,
# config errors, mounts) come from the real kubelet, containerd and runc in
# their own words, not from messages we painted into kwok Stages.
#
#   kubelet     built from k8s.io/kubernetes at the control plane's version
#               (hack/tools), cgroup v1 allowed (--fail-cgroupv1=false: this
#               machine has cgroup v1), swap allowed, eviction thresholds low
#               and image GC off: it is a test node on a shared disk.
#   containerd  2.x built from github.com/containerd/containerd/v2
#               (hack/containerd pins it): kubelet v1.37 no longer accepts
#               containerd 1.x, and Debian ships 1.6.
#   runc        Debian's (1.1.5). containerd 2.4 is tested with runc 1.5 but
#               drives 1.1 through the same OCI runtime CLI, and every state
#               the e2e tests produce comes out right with it. The one failure
#               seen here was not runc's version: without CAP_SYS_RESOURCE (this
#               machine's root lacks it) runc cannot lower oom_score_adj, and
#               the sandbox asks for -998 ("nsexec: failed to update
#               /proc/self/oom_score_adj: Permission denied"); runc 1.5.3's
#               nsexec.c bails the same way, so building it (cgo,
#               libseccomp-dev) would not help. restrict_oom_score_adj below
#               clamps the scores to containerd's own instead.
#   CNI         Debian's containernetworking-plugins: a bridge of our own
#               (whyb<id>, 10.88.N.0/24, N free on this machine), host-local
#               IPAM, no masquerade and no default route in pods: pod traffic
#               cannot leave the machine. The kubelet reaches pods for probes
#               through the bridge's own address, N.1, which is also the node's
#               InternalIP and the kubelet's listen address: the kubelet
#               refuses a loopback node IP ("nodeIP can't be loopback
#               address"), and the apiserver dials the InternalIP for logs.
#               Traffic to an address of our own bridge is local delivery; it
#               never leaves the machine.
#   registries  distribution's registry (hack/realnode/registry) on loopback:
#               one open, one with htpasswd auth. The test images, and the
#               sandbox (pause) image configured in containerd, are built in Go
#               from hack/realnode/testapp and pushed at `up`.
#
# Everything lives under $STATE/node; pods run in a cgroup subtree of the
# caller's own cgroup (so a sandbox that ends the caller's cgroup ends the
# pods too), named after the state dir so two clusters never share one.
# `down` kills what runs there by pid, unmounts, deletes the bridge and the
# cgroups, and puts back the sysctls the kubelet and the bridge plugin set.
#
# WHY_REAL_NODE=0 leaves it out (the benchmark does: it measures kwok pods).

REAL_NODE_NAME="why-real-node"
NODE_DIR="$STATE/node"

# node_id names this cluster's bridge and cgroup: 8 hex digits of the state dir.
node_id() { printf '%s' "$STATE" | sha256sum | cut -c1-8; }

ensure_node_binaries() {
  if [ ! -x "$BIN/kubelet" ]; then
    log "building k8s.io/kubernetes/cmd/kubelet $KUBE_VERSION (a few minutes on 2 cores, once)"
    (cd "$ROOT/hack/tools" && go build -o "$BIN/" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION" k8s.io/kubernetes/cmd/kubelet)
  fi
  local cv
  cv="$(awk '$1 == "require" && $2 == "github.com/containerd/containerd/v2" {print $3}' "$ROOT/hack/containerd/go.mod")"
  if [ ! -x "$BIN/containerd" ] || [ ! -x "$BIN/containerd-shim-runc-v2" ] || [ ! -x "$BIN/ctr" ]; then
    log "building containerd $cv (several minutes on 2 cores, once)"
    (cd "$ROOT/hack/containerd" && go build -o "$BIN/" \
      -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$cv" \
      github.com/containerd/containerd/v2/cmd/containerd \
      github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
      github.com/containerd/containerd/v2/cmd/ctr)
  fi
  if [ ! -x "$BIN/registry" ] || [ ! -x "$BIN/images" ]; then
    log "building the registry and the image builder (hack/realnode, once)"
    (cd "$ROOT/hack/realnode" && CGO_ENABLED=0 go build -o "$BIN/" ./registry ./images)
  fi
  # The test program is small and the tests depend on its flags: always
  # rebuild (the Go build cache makes that a second when nothing changed).
  (cd "$ROOT/hack/realnode" && CGO_ENABLED=0 go build -o "$BIN/testapp" ./testapp)
  if ! command -v runc >/dev/null 2>&1 || [ ! -x /usr/lib/cni/bridge ]; then
    log "installing runc and containernetworking-plugins from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq runc containernetworking-plugins >/dev/null
  fi
}

# node_cgroup_root is where the kubelet puts pods: under the caller's own
# memory cgroup (cgroup v1 lists one path per hierarchy; the memory one is
# where a sandbox or CI accounts and ends what runs), the same path made in
# every hierarchy the kubelet uses, as its --cgroup-root must exist.
node_cgroup_root() {
  local base
  base="$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)"
  [ "$base" = / ] && base=""
  printf '%s/why-%s' "$base" "$(node_id)"
}

make_cgroup_root() { # path
  local h d
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [ -f "$h/cgroup.procs" ] || continue
    case "$(basename "$h")" in unified) continue ;; esac
    d="$h$1"
    mkdir -p "$d"
    # A new cpuset cgroup starts with no CPUs or memory nodes: copy them
    # down from the nearest parent that has them.
    if [ -f "$d/cpuset.cpus" ]; then
      local p
      p="$d"
      while [ -z "$(cat "$p/cpuset.cpus")" ] && [ "$p" != "$h" ]; do p="$(dirname "$p")"; done
      local q="$h"
      for part in $(printf '%s' "$1" | tr '/' ' '); do
        q="$q/$part"
        [ -n "$(cat "$q/cpuset.cpus")" ] || cat "$(dirname "$q")/cpuset.cpus" >"$q/cpuset.cpus"
        [ -n "$(cat "$q/cpuset.mems")" ] || cat "$(dirname "$q")/cpuset.mems" >"$q/cpuset.mems"
      done
    fi
  done
}

# free_subnet picks 10.88.N.0/24 that no route on this machine uses yet (a
# second cluster's bridge has one), so two clusters never share addresses.
free_subnet() {
  local n
  for ((n = 0; n < 256; n++)); do
    ip -4 route show | grep -q "^10\.88\.$n\.0/24 " || { printf '10.88.%s' "$n"; return 0; }
  done
  die "no free 10.88.N.0/24 for the real node's pods"
}

# save_sysctls records what the kubelet (vm.overcommit_memory, vm.panic_on_oom,
# kernel.panic, kernel.panic_on_oops, kernel.keys.*) and the bridge plugin
# (net.ipv4.ip_forward) change on the host, so that `down` puts them back.
save_sysctls() {
  local s
  : >"$NODE_DIR/sysctls"
  for s in vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops \
    kernel/keys/root_maxkeys kernel/keys/root_maxbytes net/ipv4/ip_forward; do
    [ -f "/proc/sys/$s" ] && printf '%s %s\n' "$s" "$(cat "/proc/sys/$s")" >>"$NODE_DIR/sysctls"
  done
}

# node_certs makes the kubelet's client identity, system:node:<name> in
# system:nodes, so that the Node authorizer treats it as the real thing
# (it may read only the Secrets and ConfigMaps of pods bound to it).
node_certs() {
  (
    cd "$STATE/pki"
    openssl req -newkey rsa:2048 -nodes -keyout kubelet.key -out kubelet.csr \
      -subj "/CN=system:node:$REAL_NODE_NAME/O=system:nodes" 2>/dev/null
    openssl x509 -req -in kubelet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -out kubelet.crt 2>/dev/null
  )
  cat >"$NODE_DIR/kubelet.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: why-local
  cluster: {server: "https://127.0.0.1:$1", certificate-authority: "$STATE/pki/ca.crt"}
users:
- name: kubelet
  user: {client-certificate: "$STATE/pki/kubelet.crt", client-key: "$STATE/pki/kubelet.key"}
contexts:
- name: kubelet
  context: {cluster: why-local, user: kubelet}
current-context: kubelet
EOF
}

start_registries() {
  local open_port auth_port
  open_port="$(free_port)"; auth_port="$(free_port)"
  mkdir -p "$NODE_DIR/registry-open" "$NODE_DIR/registry-auth"
  "$BIN/images" htpasswd why-user why-password >"$NODE_DIR/htpasswd"
  local name port authcfg
  for name in open auth; do
    port="$open_port"; authcfg=""
    if [ "$name" = auth ]; then
      port="$auth_port"
      authcfg="auth:
  htpasswd:
    realm: why-registry
    path: $NODE_DIR/htpasswd"
    fi
    cat >"$NODE_DIR/registry-$name.yaml" <<EOF
version: 0.1
log:
  level: warn
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: $NODE_DIR/registry-$name}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
$authcfg
EOF
    # OTEL_TRACES_EXPORTER=none: distribution v3 exports traces over OTLP
    # by default.
    start "registry-$name" env OTEL_TRACES_EXPORTER=none "$BIN/registry" serve "$NODE_DIR/registry-$name.yaml"
    wait_for "registry-$name" 30 curl -fsS -o /dev/null -w '' "http://127.0.0.1:$port/" 
  done
  printf 'registry_open=127.0.0.1:%s\nregistry_auth=127.0.0.1:%s\n' "$open_port" "$auth_port" >>"$STATE/ports"
  "$BIN/images" push -binary "$BIN/testapp" -open "127.0.0.1:$open_port" -auth "127.0.0.1:$auth_port" \
    -user why-user -password why-password >"$STATE/logs/images.log" 2>&1 ||
    { cat "$STATE/logs/images.log" >&2; die "could not push the test images"; }
}

# make_bridge creates the pods' bridge before any pod, with the gateway
# address the bridge plugin would give it, so the kubelet can listen there.
make_bridge() { # subnet-prefix
  local br
  br="whyb$(node_id)"
  ip link show "$br" >/dev/null 2>&1 || ip link add "$br" type bridge || die "ip link add $br type bridge failed"
  ip addr replace "$1.1/24" dev "$br" || die "could not give $br the address $1.1/24"
  ip link set "$br" up
}

start_containerd() { # subnet-prefix, open-registry, auth-registry
  local sub="$1" open="$2" auth="$3" id
  id="$(node_id)"
  make_bridge "$sub"
  mkdir -p "$NODE_DIR/cni/net.d" "$NODE_DIR/cni/ipam" "$NODE_DIR/containerd/certs.d"
  cat >"$NODE_DIR/cni/net.d/10-why.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "why-$id",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "whyb$id",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NODE_DIR/cni/ipam",
        "ranges": [[{"subnet": "$sub.0/24"}]],
        "routes": []
      }
    },
    {"type": "loopback"}
  ]
}
EOF
  # Plain HTTP to the loopback registries (and to any other loopback port,
  # such as the closed one a test pulls from).
  local r
  for r in "$open" "$auth"; do
    mkdir -p "$NODE_DIR/containerd/certs.d/$r"
    printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$r" "$r" \
      >"$NODE_DIR/containerd/certs.d/$r/hosts.toml"
  done
  local c="$NODE_DIR/containerd"
  cat >"$c/config.toml" <<EOF
# containerd 2.x for the real node: every path under $c, every listener a
# unix socket there or 127.0.0.1.
version = 3
root = "$c/root"
state = "$c/state"
[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins.'io.containerd.internal.v1.opt']
  path = "$c/opt"
[plugins.'io.containerd.nri.v1.nri']
  disable = true
[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    # Built here from hack/realnode/testapp: no image comes from outside.
    sandbox = "$open/why/pause:v1"
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = "$c/certs.d"
[plugins.'io.containerd.cri.v1.runtime']
  netns_mounts_under_state_dir = true
  # No CAP_SYS_RESOURCE here: scores below containerd's own cannot be set.
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$NODE_DIR/cni/net.d"
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      BinaryName = "$(command -v runc)"
      Root = "$c/runc"
      SystemdCgroup = false
EOF
  # The shim is found on PATH, next to containerd.
  start containerd env PATH="$BIN:$PATH" "$BIN/containerd" --config "$c/config.toml" --log-level warn
  wait_for containerd 60 "$BIN/ctr" --address "$c/containerd.sock" version
}

start_kubelet() { # apiserver-port, subnet-prefix
  local port healthz cgroot
  port="$(free_port)"; healthz="$(free_port)"
  cgroot="$(node_cgroup_root)"
  printf '%s\n' "$cgroot" >"$NODE_DIR/cgroup-root"
  make_cgroup_root "$cgroot"
  mkdir -p "$NODE_DIR/kubelet" "$NODE_DIR/pod-logs" "$NODE_DIR/volume-plugins"
  node_certs "$1"
  cat >"$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# Only on the pods' bridge of this machine (see the top of node.sh). The
# apiserver reaches it for logs without a client certificate, so anonymous
# requests are allowed: nothing but this machine can connect.
address: $2.1
port: $port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
  x509: {clientCAFile: "$STATE/pki/ca.crt"}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$NODE_DIR/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: "$cgroot"
# This machine has cgroup v1 (kubelet v1.35+ refuses it unless told) and
# may have swap.
failCgroupV1: false
failSwapOn: false
podLogsDir: "$NODE_DIR/pod-logs"
volumePluginDir: "$NODE_DIR/volume-plugins"
staticPodPath: ""
# A test node on a shared disk: evict only when it is truly full, never
# collect the test images.
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1%, imagefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
# No cluster DNS runs; pods get a resolver on their own loopback so that the
# kubelet does not warn (MissingClusterDNS) on every pod.
clusterDNS: [127.0.0.1]
# No CAP_SYS_RESOURCE here (see runc above): keep the kubelet's own score.
oomScoreAdj: 0
clusterDomain: cluster.local
resolvConf: ""
# kwok-targeted tests must never land here: real-node tests tolerate this
# and select why.test/node=real.
registerWithTaints:
- {key: why.test/real-node, value: "true", effect: NoSchedule}
EOF
  printf 'kubelet=%s\nkubelet_healthz=%s\npod_subnet=%s.0/24\n' "$port" "$healthz" "$2" >>"$STATE/ports"
  start kubelet "$BIN/kubelet" --config "$NODE_DIR/kubelet.yaml" \
    --kubeconfig "$NODE_DIR/kubelet.kubeconfig" --root-dir "$NODE_DIR/kubelet" \
    --cert-dir "$NODE_DIR/kubelet/pki" --hostname-override "$REAL_NODE_NAME" --node-ip "$2.1" \
    --node-labels "why.test/node=real" --v 1
}

up_node() { # apiserver-port
  [ "${WHY_REAL_NODE:-1}" = 1 ] || return 0
  mkdir -p "$NODE_DIR"
  save_sysctls
  start_registries
  local open auth sub
  open="$(awk -F= '$1 == "registry_open" {print $2}' "$STATE/ports")"
  auth="$(awk -F= '$1 == "registry_auth" {print $2}' "$STATE/ports")"
  sub="$(free_subnet)"
  start_containerd "$sub" "$open" "$auth"
  start_kubelet "$1" "$sub"
  wait_for "the real node Ready" 120 bash -c "kubectl --kubeconfig '$STATE/kubeconfig' get node $REAL_NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
}

# down_node stops what up_node started and removes what it left on the host.
down_node() {
  [ -d "$NODE_DIR" ] || return 0
  local p i
  # The kubelet first, so that it restarts nothing.
  if alive kubelet; then kill "$(cat "$STATE/pids/kubelet")" 2>/dev/null || true; fi
  for ((i = 0; i < 40; i++)); do alive kubelet || break; sleep 0.25; done
  # Then every process in the pods' cgroups, by pid (the pids hierarchy
  # lists the whole subtree).
  local cgroot=""
  [ -f "$NODE_DIR/cgroup-root" ] && cgroot="$(cat "$NODE_DIR/cgroup-root")"
  if [ -n "$cgroot" ] && [ -d "/sys/fs/cgroup/pids$cgroot" ]; then
    for ((i = 0; i < 20; i++)); do
      local pids
      pids="$(find "/sys/fs/cgroup/pids$cgroot" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)"
      [ -n "$pids" ] || break
      # shellcheck disable=SC2086
      kill -9 $pids 2>/dev/null || true
      sleep 0.25
    done
  fi
  # The shims: their command lines name our containerd's socket.
  local sock="$NODE_DIR/containerd/containerd.sock" shims=""
  for p in /proc/[0-9]*; do
    # A process may end between the glob and the read: no message for it.
    if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "containerd-shim-runc-v2 .*-address $sock "; then
      shims="$shims ${p#/proc/}"
    fi
  done
  # shellcheck disable=SC2086
  [ -z "$shims" ] || kill -9 $shims 2>/dev/null || true
  for p in containerd registry-open registry-auth; do
    if alive "$p"; then kill "$(cat "$STATE/pids/$p")" 2>/dev/null || true; fi
  done
  for p in containerd registry-open registry-auth; do
    for ((i = 0; i < 40; i++)); do alive "$p" || break; sleep 0.25; done
    if alive "$p"; then kill -9 "$(cat "$STATE/pids/$p")" 2>/dev/null || true; fi
  done
  # Mounts (overlay rootfs, netns, secret tmpfs, ...) under the node's dir,
  # deepest first.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$NODE_DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  ip link del "whyb$(node_id)" 2>/dev/null || true
  if [ -n "$cgroot" ]; then
    local h
    for h in /sys/fs/cgroup/*/; do
      [ -d "${h%/}$cgroot" ] || continue
      find "${h%/}$cgroot" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  fi
  if [ -f "$NODE_DIR/sysctls" ]; then
    local s v
    while read -r s v; do
      printf '%s\n' "$v" >"/proc/sys/$s" 2>/dev/null || true
    done <"$NODE_DIR/sysctls"
  fi
}
