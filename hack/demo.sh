#!/usr/bin/env bash
# The main job, for someone without a cluster: start the local control
# plane, deploy a few broken workloads (and a healthy one), wait until the
# failures show, and run `kubectl why` on them through kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
hack/cluster.sh up >&2
eval "$(hack/cluster.sh env)"
export PATH="$PWD/bin:$PATH"
ns=why-demo
kubectl get ns "$ns" >/dev/null 2>&1 || kubectl create ns "$ns" >/dev/null
kubectl get ns "$ns-quota" >/dev/null 2>&1 || kubectl create ns "$ns-quota" >/dev/null
kubectl apply -n "$ns" -f examples/demo.yaml >/dev/null
kubectl apply -n "$ns-quota" -f examples/demo-quota.yaml >/dev/null
# The real node's workloads pull the test image from the open loopback
# registry, whose port hack/cluster.sh chose.
state="$(dirname "$(hack/cluster.sh env | sed 's/^export KUBECONFIG=//')")"
registry="$(awk -F= '$1 == "registry_open" {print $2}' "$state/ports")"
real=""
if [ -n "$registry" ]; then
  real=1
  kubectl get ns "$ns-real" >/dev/null 2>&1 || kubectl create ns "$ns-real" >/dev/null
  sed "s|REGISTRY|$registry|g" examples/demo-real.yaml | kubectl apply -n "$ns-real" -f - >/dev/null
fi

# Bold prompts only on a terminal, and never with NO_COLOR or TERM=dumb.
bold='' off=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-dumb}" != dumb ]; then bold=$'\033[1m' off=$'\033[0m'; fi
show() {
  printf '\n%s$ kubectl why %s%s\n' "$bold" "$*" "$off"
  kubectl why "$@" || true
}
echo "waiting 40s for the kubelets (kwok's and the real one), the scheduler and the controllers to act..." >&2
sleep 40
show deploy/web -n "$ns"
show deploy/shop -n "$ns"
show deploy/worker -n "$ns"
show deploy/batch -n "$ns"
show deploy/heavy -n "$ns"
show deploy/quota-blocked -n "$ns-quota"
show pod -n "$ns" --failing
if [ -n "$real" ]; then
  # On the real node: a crash with its real previous log, an OOM kill
  # under a memory limit, and a pull from a closed port.
  show deploy/api -n "$ns-real" --logs
  show deploy/cache -n "$ns-real"
  show deploy/mirror -n "$ns-real"
fi
echo
echo "The cluster keeps running: KUBECONFIG=$(hack/cluster.sh env | sed 's/^export KUBECONFIG=//'); stop it with hack/cluster.sh down" >&2
