package collect

// RBAC is the least privilege collecting needs, printed by --print-rbac
// and documented in docs/rbac.md. Only get, list and watch (--wait
// watches each kind it lists): the plugin is read-only. Bind it with a RoleBinding to limit it to one namespace.
// Anything left out is reported as a note naming what was not checked.
const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kubectl-why
rules:
# The targets and what lies under them.
- apiGroups: [""]
  resources: ["pods", "events", "persistentvolumeclaims"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments", "replicasets", "statefulsets", "daemonsets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["batch"]
  resources: ["jobs", "cronjobs"]
  verbs: ["get", "list", "watch"]
# Node conditions, taints and allocatable (cluster-scoped: needs a
# ClusterRoleBinding; without it, node causes are reported as not checked).
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get", "list", "watch"]
# Optional: --logs reads the previous log of crashed containers.
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
`
