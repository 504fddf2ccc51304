package explain

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

var (
	reCMNotFound     = regexp.MustCompile(`configmaps? "([^"]+)" not found`)
	reSecretNotFound = regexp.MustCompile(`secrets? "([^"]+)" not found`)
	reKeyMissing     = regexp.MustCompile(`couldn't find key (\S+) in (ConfigMap|Secret) ([^/\s]+)/(\S+)`)
	reExecQuoted     = regexp.MustCompile(`exec: "([^"]+)"`)
	reExecBare       = regexp.MustCompile(`exec (\S+): `)
	reExecCRIO       = regexp.MustCompile("executable file `([^`]+)`")
	reStatNoSuchFile = regexp.MustCompile(`stat (\S+): no such file or directory`)
)

// configError is what a CreateContainerConfigError message says is missing.
type configError struct {
	Code   Code
	Kind   string // ConfigMap or Secret
	Name   string
	Key    string
	Reason string // for the runAsNonRoot family
}

// classifyConfigError reads the kubelet's message (kubelet_pods.go,
// kuberuntime/security_context_others.go).
func classifyConfigError(msg string) configError {
	if m := reKeyMissing.FindStringSubmatch(msg); m != nil {
		return configError{Code: CodeConfigKeyNotFound, Kind: m[2], Name: m[4], Key: m[1]}
	}
	if m := reCMNotFound.FindStringSubmatch(msg); m != nil {
		return configError{Code: CodeConfigMapNotFound, Kind: "ConfigMap", Name: m[1]}
	}
	if m := reSecretNotFound.FindStringSubmatch(msg); m != nil {
		return configError{Code: CodeSecretNotFound, Kind: "Secret", Name: m[1]}
	}
	if strings.Contains(msg, "runAsNonRoot") {
		switch {
		case strings.Contains(msg, "will run as root"):
			return configError{Code: CodeRunAsNonRootViolation, Reason: "root"}
		case strings.Contains(msg, "non-numeric user"):
			return configError{Code: CodeRunAsNonRootViolation, Reason: "nonNumericUser"}
		}
		return configError{Code: CodeRunAsNonRootViolation, Reason: "invalidUser"}
	}
	return configError{Code: CodeCreateContainerConfigError}
}

// ruleCreateConfig: the kubelet could not build the container's config,
// most often a ConfigMap, Secret or key that does not exist.
func ruleCreateConfig(c *PodContext) []Finding {
	var out []Finding
	for _, pc := range c.containers() {
		if pc.waitingReason() != "CreateContainerConfigError" {
			continue
		}
		w := pc.waiting()
		ce := classifyConfigError(w.Message)
		ns := c.Pod.Namespace
		var cause string
		switch ce.Code {
		case CodeConfigKeyNotFound:
			cause = fmt.Sprintf("%s needs key %s of %s %s, which has no such key", pc.what(), ce.Key, ce.Kind, ce.Name)
		case CodeConfigMapNotFound, CodeSecretNotFound:
			cause = fmt.Sprintf("%s needs %s %s, which does not exist in namespace %s", pc.what(), ce.Kind, ce.Name, ns)
		case CodeRunAsNonRootViolation:
			switch ce.Reason {
			case "root":
				cause = fmt.Sprintf("%s must run as non-root (runAsNonRoot), but image %s runs as root and no runAsUser is set", pc.what(), imageOf(pc))
			case "nonNumericUser":
				cause = fmt.Sprintf("%s must run as non-root (runAsNonRoot), but image %s names its user by name, which the kubelet cannot check: set a numeric runAsUser", pc.what(), imageOf(pc))
			default:
				cause = fmt.Sprintf("%s must run as non-root (runAsNonRoot), but the image's user id is not valid", pc.what())
			}
		default:
			cause = fmt.Sprintf("the kubelet could not build the configuration of %s: %s", pc.what(), firstLine(w.Message))
		}
		f := c.finding(ce.Code, pc.Name, cause)
		f.Evidence = []Evidence{waitingEvidence(pc)}
		if e := latestEvent(eventsMatching(c.eventsFor(pc.Name, "Failed"), func(m string) bool { return strings.HasPrefix(m, "Error: ") })); e != nil {
			f.Evidence = append(f.Evidence, eventEvidence(e))
		}
		if ce.Name != "" {
			f.Facts[lowerFirst(ce.Kind)] = ce.Name
			if where := configRefs(pc.Spec, c.Pod, ce.Kind, ce.Name, ce.Key); where != "" {
				f.Facts["usedBy"] = where
				f.Evidence = append(f.Evidence, Evidence{Source: pc.specPath(), Message: "references " + ce.Kind + " " + ce.Name + " in " + where})
			}
		}
		if ce.Key != "" {
			f.Facts["key"] = ce.Key
		}
		if pc.Init {
			f.Facts["init"] = "true"
		}
		f.Facts["reason"] = w.Reason
		switch ce.Code {
		case CodeConfigKeyNotFound:
			f.Next = []string{fmt.Sprintf("kubectl describe %s %s%s", strings.ToLower(ce.Kind), ce.Name, nsFlag(ns))}
		case CodeConfigMapNotFound, CodeSecretNotFound:
			f.Next = []string{fmt.Sprintf("kubectl get %s%s", strings.ToLower(ce.Kind), nsFlag(ns))}
		case CodeRunAsNonRootViolation:
			f.Facts["image"] = imageOf(pc)
			f.Next = []string{fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.securityContext}{\"\\n\"}{.spec.containers[?(@.name==\"%s\")].securityContext}'", c.Pod.Name, nsFlag(ns), pc.Name)}
		}
		f.Next = append(f.Next, c.cmdDescribe())
		out = append(out, f)
	}
	return out
}

// configRefs says where the container or pod refers to the ConfigMap or
// Secret: "env DB_URL", "envFrom", "volume cfg".
func configRefs(spec *corev1.Container, p *corev1.Pod, kind, name, key string) string {
	var where []string
	if spec != nil {
		for _, e := range spec.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.ConfigMapKeyRef; kind == "ConfigMap" && r != nil && r.Name == name && (key == "" || r.Key == key) {
				where = append(where, "env "+e.Name)
			}
			if r := e.ValueFrom.SecretKeyRef; kind == "Secret" && r != nil && r.Name == name && (key == "" || r.Key == key) {
				where = append(where, "env "+e.Name)
			}
		}
		if key == "" {
			for _, e := range spec.EnvFrom {
				if (kind == "ConfigMap" && e.ConfigMapRef != nil && e.ConfigMapRef.Name == name) ||
					(kind == "Secret" && e.SecretRef != nil && e.SecretRef.Name == name) {
					where = append(where, "envFrom")
				}
			}
		}
	}
	if key == "" {
		for _, v := range p.Spec.Volumes {
			if volumeSource(v) == lowerFirst(kind)+" "+name {
				where = append(where, "volume "+v.Name)
			}
		}
	}
	return strings.Join(where, ", ")
}

// volumeSource names what backs a volume: "configMap app-config",
// "secret db", "persistentVolumeClaim data", "emptyDir"...
func volumeSource(v corev1.Volume) string {
	s := v.VolumeSource
	switch {
	case s.ConfigMap != nil:
		return "configMap " + s.ConfigMap.Name
	case s.Secret != nil:
		return "secret " + s.Secret.SecretName
	case s.PersistentVolumeClaim != nil:
		return "persistentVolumeClaim " + s.PersistentVolumeClaim.ClaimName
	case s.Ephemeral != nil:
		return "ephemeral"
	case s.EmptyDir != nil:
		return "emptyDir"
	case s.HostPath != nil:
		return "hostPath " + s.HostPath.Path
	case s.Projected != nil:
		return "projected"
	case s.CSI != nil:
		return "csi " + s.CSI.Driver
	case s.NFS != nil:
		return "nfs " + s.NFS.Server + ":" + s.NFS.Path
	case s.DownwardAPI != nil:
		return "downwardAPI"
	case s.Image != nil:
		return "image " + s.Image.Reference
	}
	return ""
}

// runtimeError is what a runtime refusal message says.
type runtimeError struct {
	Code    Code
	Command string
}

// classifyRuntimeError reads containerd's, CRI-O's and runc's words for a
// container that could not be created or started.
func classifyRuntimeError(msg string) runtimeError {
	l := strings.ToLower(msg)
	cmd := ""
	for _, re := range []*regexp.Regexp{reExecQuoted, reExecCRIO, reStatNoSuchFile, reExecBare} {
		if m := re.FindStringSubmatch(msg); m != nil {
			cmd = m[1]
			break
		}
	}
	execRelated := cmd != "" || strings.Contains(l, "exec")
	switch {
	case strings.Contains(l, "executable file not found"), strings.Contains(l, "not found in $path"):
		return runtimeError{CodeExecutableNotFound, cmd}
	case strings.Contains(l, "exec format error"):
		return runtimeError{CodeExecFormatError, cmd}
	case execRelated && strings.Contains(l, "permission denied"):
		return runtimeError{CodeExecPermissionDenied, cmd}
	case execRelated && strings.Contains(l, "no such file or directory"):
		return runtimeError{CodeExecutableNotFound, cmd}
	}
	return runtimeError{CodeRunContainerError, cmd}
}

// isStartFailure reports a terminated state that is the runtime refusing
// to start the process, not the process exiting.
func isStartFailure(t *corev1.ContainerStateTerminated) bool {
	if t == nil {
		return false
	}
	switch t.Reason {
	case "StartError", "ContainerCannotRun", "CreateContainerError", "RunContainerError":
		return true
	}
	return false
}

// runtimeRefusal is the runtime's refusal to create or start the
// container, where the status carries it: the waiting state, or a run that
// ended as a start failure (now, or last time while it waits again).
func runtimeRefusal(pc podContainer) (msg, source, reason string, ok bool) {
	w := pc.waiting()
	switch {
	case w != nil && (w.Reason == "CreateContainerError" || w.Reason == "RunContainerError" || w.Reason == "StartError" || w.Reason == "ContainerCannotRun"):
		return w.Message, pc.statusPath() + ".state.waiting", w.Reason, true
	case isStartFailure(pc.terminated()):
		t := pc.terminated()
		return t.Message, pc.statusPath() + ".state.terminated", t.Reason, true
	case w != nil && isStartFailure(pc.lastTerminated()):
		t := pc.lastTerminated()
		return t.Message, pc.statusPath() + ".lastState.terminated", t.Reason, true
	}
	return "", "", "", false
}

// runtimeCause words each runtime refusal: the command missing, not
// executable, built for another architecture, or another refusal.
func (c *PodContext) runtimeCause(code Code, pc podContainer, cmd, msg string) string {
	switch code {
	case CodeExecutableNotFound:
		return fmt.Sprintf("%s does not exist in image %s: fix command/args or the image", cmdPhrase("the command", cmd, pc.what()), imageOf(pc))
	case CodeExecPermissionDenied:
		return fmt.Sprintf("%s is not executable (permission denied): it lacks the execute bit, or a volume is mounted over it", cmdPhrase("the command", cmd, pc.what()))
	case CodeExecFormatError:
		return fmt.Sprintf("%s is built for another CPU architecture than node %s, or is a script without a #! line (exec format error)", cmdPhrase("the binary", cmd, pc.what()), orUnknown(c.Pod.Spec.NodeName))
	}
	return fmt.Sprintf("the container runtime refused to start %s: %s", pc.what(), firstLine(msg))
}

// ruleRuntimeRefused: the runtime could not create or start the container
// (CreateContainerError, RunContainerError, or a crash loop whose last run
// is a StartError: the command does not exist, is not executable, or is
// built for another architecture).
func ruleRuntimeRefused(c *PodContext) []Finding {
	var out []Finding
	for _, pc := range c.containers() {
		msg, source, reason, ok := runtimeRefusal(pc)
		if !ok {
			continue
		}
		w := pc.waiting()
		ev := latestEvent(eventsMatching(c.eventsFor(pc.Name, "Failed"), func(m string) bool { return strings.HasPrefix(m, "Error: ") }))
		re := classifyRuntimeError(msg)
		if re.Code == CodeRunContainerError && ev != nil {
			if r2 := classifyRuntimeError(ev.Message); r2.Code != CodeRunContainerError {
				re = r2
			}
		}
		cmd := re.Command
		if cmd == "" && pc.Spec != nil && len(pc.Spec.Command) > 0 {
			cmd = pc.Spec.Command[0]
		}
		f := c.finding(re.Code, pc.Name, c.runtimeCause(re.Code, pc, cmd, msg))
		f.Evidence = []Evidence{{Source: source, Message: joinNonEmpty(": ", reason, msg)}}
		if source != pc.statusPath()+".state.waiting" && w != nil {
			f.Evidence = append(f.Evidence, waitingEvidence(pc))
		}
		if ev != nil {
			f.Evidence = append(f.Evidence, eventEvidence(ev))
		}
		if cmd != "" {
			f.Facts["command"] = cmd
		}
		f.Facts["image"] = imageOf(pc)
		f.Facts["reason"] = reason
		if pc.Init {
			f.Facts["init"] = "true"
		}
		if n := pc.restarts(); n > 0 {
			f.Facts["restarts"] = fmt.Sprint(n)
		}
		if re.Code == CodeExecFormatError && c.Node != nil {
			f.Facts["nodeArch"] = c.Node.Status.NodeInfo.Architecture
		}
		f.Next = []string{
			fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.%s[?(@.name==\"%s\")].command}'", c.Pod.Name, nsFlag(c.Pod.Namespace), specListName(pc), pc.Name),
			c.cmdDescribe(),
		}
		out = append(out, f)
	}
	return out
}

func specListName(pc podContainer) string {
	if pc.Init {
		return "initContainers"
	}
	return "containers"
}

// cmdPhrase renders `the command "x" of container app`.
func cmdPhrase(noun, cmd, what string) string {
	if cmd == "" {
		return noun + " of " + what
	}
	return fmt.Sprintf("%s %q of %s", noun, cmd, what)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
