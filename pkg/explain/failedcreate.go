package explain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

// A controller that cannot create pods says so twice: in a FailedCreate
// event on itself and, for ReplicaSets, in the ReplicaFailure condition. The
// message is the admission error verbatim; these patterns type it.
var (
	// exceeded quota: compute-resources, requested: limits.memory=2Gi, used: limits.memory=3Gi, limited: limits.memory=4Gi
	reQuota = regexp.MustCompile(`exceeded quota: ([^,]+), requested: (.+?), used: (.+?), limited: ([^\s"]+(?:,[^\s"]+)*)`)
	// failed quota: q: must specify limits.cpu for: app; limits.memory for: app
	reQuotaMustSpecify = regexp.MustCompile(`(?:failed quota: ([^:]+): )?must specify ([^;"]+(?:; [^"]+)?)`)
	// maximum memory usage per Container is 1Gi, but limit is 2Gi
	reLimitRange = regexp.MustCompile(`(?:maximum|minimum) [a-z-]+ usage per (?:Container|Pod|PersistentVolumeClaim) is [^,]+, but (?:limit|request) is [^\s.,"]+|[a-z]+ max limit to request ratio per Container is [^,]+, but provided ratio is [^\s"]+`)
	// violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), ...
	rePodSecurity = regexp.MustCompile(`violates PodSecurity "([^"]+)": (.+)$`)
	// error looking up service account ns/sa: serviceaccount "sa" not found
	reServiceAccount = regexp.MustCompile(`error looking up service account ([^:]+): serviceaccount "([^"]+)" not found`)
	// admission webhook "x" denied the request: ...
	reWebhookDenied = regexp.MustCompile(`admission webhook "([^"]+)" denied the request(?:: (.*))?`)
	// Internal error occurred: failed calling webhook "x": ...
	reWebhookCall = regexp.MustCompile(`failed calling webhook "([^"]+)": (.*)`)
)

// failedCreate finds why a controller cannot create pods: the newest
// FailedCreate event on the owner, else the ReplicaFailure condition.
func failedCreate(g *graph.Graph, owner Ref, conditionMsg string) []Finding {
	var msg string
	var ev *corev1.Event
	for _, e := range g.EventsFor(owner.Kind, owner.Namespace, owner.Name, owner.UID) {
		if e.Reason == "FailedCreate" {
			ev = e
		}
	}
	switch {
	case ev != nil:
		msg = ev.Message
	case conditionMsg != "":
		msg = conditionMsg
	default:
		return nil
	}
	f := classifyFailedCreate(owner, msg)
	if ev != nil {
		f.Evidence = append(f.Evidence, eventEvidence(ev))
	}
	// The event says "Error creating: " + the condition's message: once is enough.
	if conditionMsg != "" && (ev == nil || conditionMsg != strings.TrimPrefix(ev.Message, "Error creating: ")) {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.conditions[ReplicaFailure]", Message: conditionMsg})
	}
	return []Finding{f}
}

// classifyFailedCreate types one FailedCreate message.
func classifyFailedCreate(owner Ref, msg string) Finding {
	ns := nsFlag(owner.Namespace)
	f := Finding{Code: CodeFailedCreate, Severity: SeverityError, Object: owner, Facts: map[string]string{}}
	what := strings.ToLower(owner.Kind) + "/" + owner.Name
	switch {
	case reQuota.MatchString(msg):
		m := reQuota.FindStringSubmatch(msg)
		f.Code = CodeQuotaExceeded
		f.Facts["quota"], f.Facts["requested"], f.Facts["used"], f.Facts["limited"] = m[1], m[2], m[3], m[4]
		f.Cause = fmt.Sprintf("%s cannot create pods: ResourceQuota %s is exhausted (requested %s, used %s, limited %s)", what, m[1], m[2], m[3], m[4])
		f.Next = []string{"kubectl describe resourcequota " + m[1] + ns}
	case strings.Contains(msg, "must specify "):
		m := reQuotaMustSpecify.FindStringSubmatch(msg)
		f.Code = CodeQuotaRequiresLimits
		missing := strings.TrimSpace(m[2])
		f.Facts["missing"] = missing
		if m[1] != "" {
			f.Facts["quota"] = m[1]
		}
		f.Cause = fmt.Sprintf("%s cannot create pods: a ResourceQuota in the namespace requires %s, which the pod template does not set", what, missing)
		f.Next = []string{"kubectl describe resourcequota" + ns, "kubectl set resources " + what + " --limits=cpu=...,memory=..." + ns}
	case reLimitRange.MatchString(msg):
		f.Code = CodeLimitRangeViolation
		f.Facts["violation"] = reLimitRange.FindString(msg)
		f.Cause = fmt.Sprintf("%s cannot create pods: the pod template violates a LimitRange (%s)", what, f.Facts["violation"])
		f.Next = []string{"kubectl describe limitrange" + ns}
	case rePodSecurity.MatchString(msg):
		m := rePodSecurity.FindStringSubmatch(msg)
		f.Code = CodePodSecurityViolation
		f.Facts["level"] = m[1]
		f.Facts["violations"] = m[2]
		f.Cause = fmt.Sprintf("%s cannot create pods: the namespace enforces Pod Security %q and the template violates it: %s", what, m[1], psaSummary(m[2]))
		f.Next = []string{"kubectl get namespace " + owner.Namespace + " --show-labels", "kubectl get " + what + ns + " -o yaml  # fix securityContext"}
	case reServiceAccount.MatchString(msg):
		m := reServiceAccount.FindStringSubmatch(msg)
		f.Code = CodeServiceAccountNotFound
		f.Facts["serviceAccount"] = m[2]
		f.Cause = fmt.Sprintf("%s cannot create pods: its template names ServiceAccount %s, which does not exist", what, m[2])
		f.Next = []string{"kubectl get serviceaccounts" + ns, "kubectl create serviceaccount " + m[2] + ns}
	case reWebhookDenied.MatchString(msg):
		m := reWebhookDenied.FindStringSubmatch(msg)
		f.Code = CodeAdmissionWebhookDenied
		f.Facts["webhook"] = m[1]
		f.Cause = fmt.Sprintf("%s cannot create pods: admission webhook %s denied them%s", what, m[1], suffix(": ", m[2]))
		f.Next = []string{"kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations"}
	case reWebhookCall.MatchString(msg):
		m := reWebhookCall.FindStringSubmatch(msg)
		f.Code = CodeAdmissionWebhookUnreachable
		f.Facts["webhook"] = m[1]
		f.Cause = fmt.Sprintf("%s cannot create pods: admission webhook %s could not be called and it fails closed", what, m[1])
		f.Next = []string{"kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o wide"}
	default:
		f.Cause = fmt.Sprintf("%s cannot create pods", what)
		f.Next = []string{"kubectl describe " + what + ns}
	}
	if len(f.Evidence) == 0 {
		// The message is the evidence; the caller adds the event with its count.
		f.Facts["message"] = msg
	}
	return f
}

// psaSummary keeps the check names of a PodSecurity violation list:
// `privileged (container "app" must not ...), allowPrivilegeEscalation != false (...)`
// -> "privileged, allowPrivilegeEscalation != false".
func psaSummary(v string) string {
	var out []string
	depth, start := 0, 0
	for i, r := range v {
		switch r {
		case '(':
			if depth == 0 {
				out = append(out, strings.TrimSpace(strings.TrimPrefix(v[start:i], ",")))
			}
			depth++
		case ')':
			depth--
			start = i + 1
		}
	}
	if len(out) == 0 {
		return v
	}
	return strings.Join(out, ", ")
}

func suffix(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}
