package explain

import (
	"fmt"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

func (c *PodContext) schedVolumeAffinity(g *schedGroup, total int) Finding {
	f := c.finding(CodeVolumeNodeAffinityConflict, "", "")
	var claims, vols []string
	for _, name := range PodClaims(c.Pod) {
		claims = append(claims, name)
		if pvc := c.G.PVC(c.Pod.Namespace, name); pvc != nil && pvc.Spec.VolumeName != "" {
			vols = append(vols, pvc.Spec.VolumeName)
		}
	}
	f.Cause = fmt.Sprintf("the pod's PersistentVolumes can only be used from nodes it cannot run on: %s their node affinity (a zonal or local volume)", ofNodes(g.nodes, total, "fails", "fail"))
	if len(claims) > 0 {
		f.Facts["claims"] = strings.Join(claims, ",")
	}
	if len(vols) > 0 {
		f.Facts["volumes"] = strings.Join(vols, ",")
		for _, v := range vols {
			f.Next = append(f.Next, fmt.Sprintf("kubectl get pv %s -o jsonpath='{.spec.nodeAffinity}'", v))
		}
	}
	f.Next = append(f.Next, "kubectl get nodes -L topology.kubernetes.io/zone")
	return f
}

// PodClaims lists the claims the pod uses, generic ephemeral ones included
// (named POD-VOLUME by the ephemeral volume controller).
func PodClaims(p *corev1.Pod) []string {
	var out []string
	for _, v := range p.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			out = append(out, v.PersistentVolumeClaim.ClaimName)
		case v.Ephemeral != nil:
			out = append(out, p.Name+"-"+v.Name)
		}
	}
	return out
}

func (c *PodContext) claimMissing(claim string) Finding {
	f := c.finding(CodePVCNotFound, "", "")
	if claim == "" {
		f.Cause = "the pod uses a PersistentVolumeClaim that does not exist"
		f.Next = []string{fmt.Sprintf("kubectl get pvc%s", nsFlag(c.Pod.Namespace))}
		return f
	}
	f.Cause = fmt.Sprintf("the pod uses PersistentVolumeClaim %s, which does not exist", claim)
	f.Facts["claim"] = claim
	f.Next = []string{fmt.Sprintf("kubectl get pvc%s", nsFlag(c.Pod.Namespace)), c.cmdDescribe()}
	return f
}

// claimsMissing checks the pod's claims against the snapshot (when claims
// were readable).
func (c *PodContext) claimsMissing() []Finding {
	if c.G == nil || !c.G.Has(graph.ResPVCs) {
		return nil
	}
	var out []Finding
	for _, v := range c.Pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue // ephemeral claims are created by a controller after the pod
		}
		name := v.PersistentVolumeClaim.ClaimName
		if c.G.PVC(c.Pod.Namespace, name) == nil {
			f := c.claimMissing(name)
			f.Evidence = append(f.Evidence, Evidence{Source: fmt.Sprintf("spec.volumes[%s].persistentVolumeClaim", v.Name), Message: "claimName: " + name})
			out = append(out, f)
		}
	}
	return out
}

// claimPhaseClass is the claim's phase (Pending when unset) and its
// StorageClass name ("" when none is named).
func claimPhaseClass(pvc *corev1.PersistentVolumeClaim) (phase, sc string) {
	phase = string(pvc.Status.Phase)
	if phase == "" {
		phase = string(corev1.ClaimPending)
	}
	if pvc.Spec.StorageClassName != nil {
		sc = *pvc.Spec.StorageClassName
	}
	return phase, sc
}

// claimWarning is the claim's latest Warning event (a provisioner that
// failed), or nil.
func claimWarning(g *graph.Graph, pvc *corev1.PersistentVolumeClaim) *corev1.Event {
	var warn *corev1.Event
	for _, e := range g.EventsFor("PersistentVolumeClaim", pvc.Namespace, pvc.Name, pvc.UID) {
		if e.Type == corev1.EventTypeWarning {
			warn = e
		}
	}
	return warn
}

// claimNotBound says why a claim is not Bound, after "PersistentVolumeClaim
// NAME is ": its phase and what its StorageClass means for it. warned is
// whether the claim has a Warning event (a provisioner that failed).
func claimNotBound(pvc *corev1.PersistentVolumeClaim, warned bool) string {
	phase, sc := claimPhaseClass(pvc)
	switch {
	case pvc.Status.Phase == corev1.ClaimLost:
		return "Lost: its PersistentVolume is gone"
	case sc == "" && pvc.Spec.StorageClassName != nil:
		return phase + `: it asks for no StorageClass (""), so only a pre-created PersistentVolume can bind it`
	case sc == "":
		return phase + ": it names no StorageClass and none is the default, so nothing provisions a volume for it"
	case warned:
		return fmt.Sprintf("%s: StorageClass %s could not provision a volume for it", phase, sc)
	}
	return fmt.Sprintf("%s: no volume of StorageClass %s has been bound to it", phase, sc)
}

// claimsUnbound reports the pod's claims that are not Bound. Without the
// scheduler saying so (told=false) a Pending claim is reported only when it
// has a warning of its own: WaitForFirstConsumer claims wait for the pod by
// design.
func (c *PodContext) claimsUnbound(told bool) []Finding {
	p := c.Pod
	var out []Finding
	readable := c.G != nil && c.G.Has(graph.ResPVCs)
	for _, name := range PodClaims(p) {
		var pvc *corev1.PersistentVolumeClaim
		if c.G != nil {
			pvc = c.G.PVC(p.Namespace, name)
		}
		if pvc == nil || pvc.Status.Phase == corev1.ClaimBound {
			continue
		}
		warn := claimWarning(c.G, pvc)
		if !told && warn == nil {
			continue
		}
		phase, sc := claimPhaseClass(pvc)
		f := c.finding(CodePVCUnbound, "", "PersistentVolumeClaim "+name+" is "+claimNotBound(pvc, warn != nil))
		f.Evidence = append(f.Evidence, Evidence{Source: fmt.Sprintf("persistentvolumeclaim/%s status.phase", name), Message: phase})
		if warn != nil {
			f.Evidence = append(f.Evidence, eventEvidence(warn))
		}
		f.Facts["claim"] = name
		f.Facts["phase"] = phase
		f.Facts["storageClass"] = sc
		f.Next = []string{fmt.Sprintf("kubectl describe pvc %s%s", name, nsFlag(p.Namespace)), "kubectl get storageclass"}
		out = append(out, f)
	}
	if len(out) == 0 && told {
		f := c.finding(CodePVCUnbound, "", "a PersistentVolumeClaim the pod uses is not bound to a volume")
		if claims := PodClaims(p); len(claims) > 0 {
			f.Cause = fmt.Sprintf("PersistentVolumeClaim %s is not bound to a volume", listWords(claims))
			f.Facts["claim"] = claims[0]
			if !readable {
				f.Cause += " (claims could not be read to say why)"
			}
		}
		f.Next = []string{fmt.Sprintf("kubectl get pvc%s", nsFlag(p.Namespace)), "kubectl get storageclass"}
		out = append(out, f)
	}
	return out
}
