package explain

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

var (
	reForVolume      = regexp.MustCompile(`for volume "([^"]+)"`)
	reUnmounted      = regexp.MustCompile(`unmounted volumes=\[([^\]]*)\]`)
	reUsedByPods     = regexp.MustCompile(`already used by pod\(s\) ([^\n]+?)(?: and \d+ pod\(s\) in different namespaces)?$`)
	reCNIPlugin      = regexp.MustCompile(`plugin type="([^"]+)"`)
	reVolumeDetail   = regexp.MustCompile(`(?s)for volume "[^"]+" : (.+)$`)
	reMountOutput    = regexp.MustCompile(`(?m)^\s*Output: (.+)$`)
	reMountNotFound  = regexp.MustCompile(`(configmap|secret)s? "([^"]+)" not found`)
	reMountClaimLost = regexp.MustCompile(`persistentvolumeclaim "([^"]+)" not found`)
)

// creating reports a pod that is placed on a node and has no container
// started yet: the phase where sandbox and volume failures block it.
func (c *PodContext) creating() bool {
	p := c.Pod
	if p.Spec.NodeName == "" || p.Status.Phase != corev1.PodPending || p.DeletionTimestamp != nil {
		return false
	}
	for _, pc := range c.containers() {
		if pc.running() != nil || pc.terminated() != nil || pc.lastTerminated() != nil {
			return false
		}
	}
	return true
}

// ruleSandboxFailed: the node could not create the pod's sandbox, almost
// always its network plugin (CNI). Not the application's fault.
func ruleSandboxFailed(c *PodContext) []Finding {
	if !c.creating() {
		return nil
	}
	if rc := podCondition(c.Pod, corev1.PodReadyToStartContainers); rc != nil && rc.Status == corev1.ConditionTrue {
		return nil
	}
	ev := latestEvent(c.eventsFor("", "FailedCreatePodSandBox"))
	if ev == nil {
		return nil
	}
	node := orUnknown(c.Pod.Spec.NodeName)
	l := strings.ToLower(ev.Message)
	network := strings.Contains(l, "network") || strings.Contains(l, "cni") || strings.Contains(l, "plugin type=")
	var cause string
	plugin := ""
	if m := reCNIPlugin.FindStringSubmatch(ev.Message); m != nil {
		plugin = m[1]
	}
	switch {
	case network && plugin != "":
		cause = fmt.Sprintf("the network plugin (CNI %s) on node %s could not set up the pod's network: a node problem, not the application", plugin, node)
	case network:
		cause = fmt.Sprintf("the network plugin (CNI) on node %s could not set up the pod's network: a node problem, not the application", node)
	case strings.Contains(l, "runtime") && strings.Contains(l, "handler"):
		cause = fmt.Sprintf("the container runtime on node %s has no handler for the pod's runtimeClassName %q", node, ptrString(c.Pod.Spec.RuntimeClassName))
	default:
		cause = fmt.Sprintf("the container runtime on node %s could not create the pod sandbox: a node problem, not the application", node)
	}
	f := c.finding(CodePodSandboxFailed, "", cause)
	f.Evidence = []Evidence{eventEvidence(ev)}
	f.Facts["node"] = c.Pod.Spec.NodeName
	if plugin != "" {
		f.Facts["plugin"] = plugin
	}
	if network {
		f.Facts["kind"] = "network"
	} else {
		f.Facts["kind"] = "runtime"
	}
	if c.Pod.Spec.NodeName != "" {
		f.Next = append(f.Next, cmdDescribeNode(c.Pod.Spec.NodeName))
	}
	f.Next = append(f.Next, fmt.Sprintf("kubectl get pods -n kube-system -o wide --field-selector spec.nodeName=%s", c.Pod.Spec.NodeName))
	return []Finding{f}
}

func ptrString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// volumeProblem is the best-known failure of one volume.
type volumeProblem struct {
	code   Code
	volume string // the pod's volume name, or the PV name for attach errors
	ev     *corev1.Event
	rank   int // higher wins: multi-attach > attach > specific mount > generic
}

// ruleVolumeFailed: the pod is placed but a volume cannot be attached or
// mounted, so no container starts (ContainerCreating with FailedMount or
// FailedAttachVolume events). One finding per volume, the clearest event.
func ruleVolumeFailed(c *PodContext) []Finding {
	if !c.creating() {
		return nil
	}
	evs := c.eventsFor("", "FailedMount", "FailedAttachVolume", "FailedMapVolume")
	if len(evs) == 0 {
		return nil
	}
	probs := map[string]*volumeProblem{}
	var order []string
	// Attach events name the PV, mount events the pod's volume: key both
	// by the pod's volume so one volume gets one finding.
	put := func(vp volumeProblem) {
		key := vp.volume
		if pv, _, _ := c.resolveVolume(vp.volume); pv != "" {
			key = pv
		}
		cur := probs[key]
		if cur == nil {
			order = append(order, key)
		}
		if cur == nil || vp.rank > cur.rank || (vp.rank == cur.rank && !eventTime(vp.ev).Before(eventTime(cur.ev))) {
			probs[key] = &vp
		}
	}
	for _, e := range evs {
		msg := e.Message
		vol := ""
		if m := reForVolume.FindStringSubmatch(msg); m != nil {
			vol = m[1]
		}
		switch {
		case strings.Contains(msg, "Multi-Attach error") || strings.Contains(msg, "already used by pod") || strings.Contains(msg, "exclusively attached"):
			put(volumeProblem{CodeVolumeMultiAttach, vol, e, 4})
		case e.Reason == "FailedAttachVolume":
			put(volumeProblem{CodeVolumeAttachFailed, vol, e, 3})
		case vol != "":
			put(volumeProblem{CodeVolumeMountFailed, vol, e, 2})
		default:
			// "Unable to attach or mount volumes: unmounted volumes=[cfg] ...: timed out"
			var names []string
			// The unmounted ones are what is stuck; unattached lists every
			// volume not attached yet, the token volume included.
			if m := reUnmounted.FindStringSubmatch(msg); m != nil {
				names = append(names, strings.Fields(strings.ReplaceAll(m[1], ",", " "))...)
			}
			names = dedupeStrings(names)
			if len(names) == 0 {
				names = []string{""}
			}
			for _, n := range names {
				put(volumeProblem{CodeVolumeMountFailed, n, e, 1})
			}
		}
	}
	// A timeout that names no volume adds nothing to a known failure.
	var out []Finding
	specific := false
	for _, name := range order {
		if probs[name].rank > 1 {
			specific = true
		}
	}
	for _, name := range order {
		if specific && probs[name].rank == 1 {
			continue
		}
		out = append(out, c.volumeFinding(*probs[name]))
	}
	return out
}

func (c *PodContext) volumeFinding(vp volumeProblem) Finding {
	p := c.Pod
	node := orUnknown(p.Spec.NodeName)
	// Name the volume as the pod knows it and say what backs it.
	podVol, claim, pv := c.resolveVolume(vp.volume)
	label := vp.volume
	if podVol != "" && podVol != vp.volume {
		label = fmt.Sprintf("%s (%s)", podVol, vp.volume)
	}
	source := ""
	for _, v := range p.Spec.Volumes {
		if v.Name == podVol {
			source = volumeSource(v)
		}
	}
	detail := ""
	if m := reVolumeDetail.FindStringSubmatch(vp.ev.Message); m != nil {
		detail = m[1]
	}
	f := c.finding(vp.code, "", "")
	switch vp.code {
	case CodeVolumeMultiAttach:
		c.multiAttach(&f, vp, label, node)
	case CodeVolumeAttachFailed:
		f.Cause = fmt.Sprintf("volume %s could not be attached to node %s", label, node)
		if detail != "" {
			f.Cause += ": " + firstLine(detail)
		}
		f.Next = []string{"kubectl get volumeattachment", cmdDescribeNode(p.Spec.NodeName)}
	default:
		c.mountFailed(&f, vp, label, node, detail, podVol)
	}
	f.Evidence = []Evidence{eventEvidence(vp.ev)}
	if podVol != "" {
		f.Facts["volume"] = podVol
	} else if vp.volume != "" {
		f.Facts["volume"] = vp.volume
	}
	if source != "" {
		f.Facts["source"] = source
	}
	if claim != "" {
		f.Facts["claim"] = claim
		f.Next = append(f.Next, fmt.Sprintf("kubectl get pvc %s%s", claim, nsFlag(p.Namespace)))
	}
	if pv != "" {
		f.Facts["persistentVolume"] = pv
	}
	f.Facts["node"] = p.Spec.NodeName
	return f
}

// multiAttach words VolumeMultiAttach: a ReadWriteOnce volume still
// attached elsewhere, and the pods that hold it there.
func (c *PodContext) multiAttach(f *Finding, vp volumeProblem, label, node string) {
	users := ""
	if m := reUsedByPods.FindStringSubmatch(vp.ev.Message); m != nil {
		users = strings.TrimSpace(m[1])
		f.Facts["usedBy"] = users
	}
	f.Cause = fmt.Sprintf("volume %s is ReadWriteOnce and still attached to another node", label)
	if users != "" {
		f.Cause += ", where pod(s) " + users + " use it"
	}
	f.Cause += "; it cannot attach to node " + node + " until it is released there"
	f.Next = []string{"kubectl get volumeattachment"}
	if us := strings.Fields(strings.ReplaceAll(users, ",", " ")); len(us) > 0 {
		f.Next = append(f.Next, fmt.Sprintf("kubectl get pod %s%s -o wide", us[0], nsFlag(c.Pod.Namespace)))
	}
}

// mountFailed words VolumeMountFailed from the kubelet's detail, unless a
// ConfigMap or Secret behind the volume is missing: that is its own mode.
func (c *PodContext) mountFailed(f *Finding, vp volumeProblem, label, node, detail, podVol string) {
	switch {
	case reMountNotFound.MatchString(detail):
		c.mountMissingObject(f, reMountNotFound.FindStringSubmatch(detail), label, podVol, vp.volume)
	case reMountClaimLost.MatchString(detail):
		m := reMountClaimLost.FindStringSubmatch(detail)
		f.Cause = fmt.Sprintf("volume %s cannot be mounted: PersistentVolumeClaim %s does not exist", label, m[1])
		f.Facts["claim"] = m[1]
	case detail != "":
		// mount(8) failures span lines; its own words are on "Output:".
		why := firstLine(detail)
		if m := reMountOutput.FindStringSubmatch(detail); m != nil {
			why += ": " + strings.TrimSpace(m[1])
		}
		f.Cause = fmt.Sprintf("volume %s cannot be mounted on node %s: %s", label, node, why)
	case vp.rank == 1 && vp.volume != "":
		f.Cause = fmt.Sprintf("volume %s was not mounted in time on node %s, and the event that said why has expired", label, node)
	case vp.rank == 1:
		f.Cause = fmt.Sprintf("the pod's volumes were not mounted in time on node %s", node)
	default:
		f.Cause = fmt.Sprintf("volume %s cannot be mounted on node %s", label, node)
	}
	f.Next = append(f.Next, c.cmdDescribe())
}

// mountMissingObject is ConfigMapNotFound or SecretNotFound reached
// through a volume: the same root cause as a missing object behind an env
// reference, so the same code; only the way in differs. m is
// reMountNotFound's match: the kind in lower case, then the name.
func (c *PodContext) mountMissingObject(f *Finding, m []string, label, podVol, volume string) {
	kind := map[string]string{"configmap": "ConfigMap", "secret": "Secret"}[m[1]]
	code := map[string]Code{"configmap": CodeConfigMapNotFound, "secret": CodeSecretNotFound}[m[1]]
	f.Code, f.Severity = code, SeverityError
	if i, ok := Info(code); ok {
		f.Severity = i.Severity
	}
	f.Cause = fmt.Sprintf("volume %s needs %s %s, which does not exist in namespace %s, so the pod cannot start", label, kind, m[2], c.Pod.Namespace)
	f.Facts[lowerFirst(kind)] = m[2]
	if podVol != "" {
		f.Facts["usedBy"] = "volume " + podVol
	} else if volume != "" {
		f.Facts["usedBy"] = "volume " + volume
	}
	f.Next = []string{fmt.Sprintf("kubectl get %s%s", m[1], nsFlag(c.Pod.Namespace))}
}

// resolveVolume maps a name from a volume event (the pod's volume name for
// mounts, the PV name for attaches) to the pod's volume, its claim and PV.
func (c *PodContext) resolveVolume(name string) (podVol, claim, pv string) {
	p := c.Pod
	for _, v := range p.Spec.Volumes {
		if v.Name == name {
			podVol = v.Name
			if v.PersistentVolumeClaim != nil {
				claim = v.PersistentVolumeClaim.ClaimName
			} else if v.Ephemeral != nil {
				claim = p.Name + "-" + v.Name
			}
			if c.G != nil {
				if pvc := c.G.PVC(p.Namespace, claim); pvc != nil {
					pv = pvc.Spec.VolumeName
				}
			}
			return
		}
	}
	if c.G == nil || name == "" {
		return "", "", ""
	}
	for _, v := range p.Spec.Volumes {
		cl := ""
		if v.PersistentVolumeClaim != nil {
			cl = v.PersistentVolumeClaim.ClaimName
		} else if v.Ephemeral != nil {
			cl = p.Name + "-" + v.Name
		}
		if cl == "" {
			continue
		}
		if pvc := c.G.PVC(p.Namespace, cl); pvc != nil && pvc.Spec.VolumeName != "" && strings.HasSuffix(name, pvc.Spec.VolumeName) {
			return v.Name, cl, pvc.Spec.VolumeName
		}
	}
	return "", "", name
}
