package explain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/distribution/reference"
	corev1 "k8s.io/api/core/v1"
)

// Pull failure kinds, as Facts["kind"] carries them.
const (
	pullNotFound  = "notFound"
	pullAuth      = "auth"
	pullRateLimit = "rateLimit"
	pullNetwork   = "network"
	pullPlatform  = "platform"
	pullDiskFull  = "diskFull"
	// pullNotFoundOrPrivate is Docker Hub's answer for a repository it
	// will not show: one that does not exist, or a private one asked for
	// without credentials. Usually a typo or an image never pushed. From
	// another registry the same words are read as pullAuth.
	pullNotFoundOrPrivate = "notFoundOrPrivate"
	pullUnknown           = "unknown"
)

// classifyPull reads a pull error (the Failed event, or the waiting
// message) and says what kind of failure it is. The order matters: a 429
// mentions "too many requests" before anything else, a DNS failure while
// fetching a token is a network problem, not an auth one.
func classifyPull(msg string) (Code, string) {
	l := strings.ToLower(msg)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(l, s) {
				return true
			}
		}
		return false
	}
	switch {
	// The node's disk, not the image: containerd could not write a layer.
	case has("no space left on device"):
		return CodeNodeDiskFull, pullDiskFull
	case has("no matching manifest for", "no match for platform in manifest", "does not match the specified platform", "image platform"):
		return CodeImagePlatformMismatch, pullPlatform
	case has("toomanyrequests", "too many requests", "rate limit", "pull rate") || reHTTP429.MatchString(l):
		return CodeImagePullRateLimited, pullRateLimit
	case has("no such host", "server misbehaving", "temporary failure in name resolution", "i/o timeout", "connection refused", "connection reset", "network is unreachable",
		"no route to host", "x509:", "tls:", "tls handshake", "certificate", "context deadline exceeded",
		"registry is unavailable", "server gave http response to https client", "dial tcp", ": eof"):
		return CodeImagePullNetworkError, pullNetwork
	// Docker Hub hides a repository that does not exist behind the same
	// denial as a private one: dockerd says "pull access denied for x,
	// repository does not exist or may require 'docker login': denied:
	// requested access to the resource is denied", containerd "pull access
	// denied, repository does not exist or may require authorization:
	// server message: insufficient_scope". Any other words after the
	// denial (an expired token) are a credentials problem.
	case has("repository does not exist or may require") &&
		has("requested access to the resource is denied", "insufficient_scope") && !has("401 unauthorized", "authentication required"):
		return CodeImageNotFound, pullNotFoundOrPrivate
	case has("pull access denied", "unauthorized", "authentication required", "insufficient_scope",
		"forbidden", "denied", "no basic auth credentials", "failed to authorize", "failed to fetch oauth token") || reHTTPAuth.MatchString(l):
		return CodeImagePullUnauthorized, pullAuth
	case has("not found", "manifest unknown", "name unknown", "does not exist", "no such image", "repository name not known") || reHTTP404.MatchString(l):
		return CodeImageNotFound, pullNotFound
	}
	return CodeImagePullBackOff, pullUnknown
}

// HTTP status codes stand alone in registry errors; digests are hex and
// must not match.
var (
	reHTTP429  = regexp.MustCompile(`\b429\b`)
	reHTTPAuth = regexp.MustCompile(`\b(401|403)\b`)
	reHTTP404  = regexp.MustCompile(`\b404\b`)
)

var (
	rePlatform    = regexp.MustCompile(`(?i)no matching manifest for ([^\s]+) in the manifest list`)
	reDNSLookup   = regexp.MustCompile(`lookup ([^\s]+?)(?: on [^\s]+)?: (?:read udp [^\s]+: )?(no such host|server misbehaving|Temporary failure in name resolution|i/o timeout)`)
	reNoSpacePath = regexp.MustCompile(`write (\S+): no space left on device`)
	reImageInPull = regexp.MustCompile(`(?:Failed to pull image|Back-off pulling image) "([^"]+)"`)
)

// registryOf is the registry host of an image reference, as the kubelet
// reads it (docker.io when the reference names none), "(unknown)" when
// it does not parse (the kubelet would not have pulled it).
func registryOf(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return orUnknown("")
	}
	return reference.Domain(named)
}

// isPullFailure tells the event that carries the registry's own words
// among the kubelet's "Failed" events (which also say "Error: ErrImagePull"
// and carry create/start errors).
func isPullFailure(msg string) bool {
	return strings.HasPrefix(msg, "Failed to pull image")
}

// ruleImagePull explains containers (init containers included) that wait
// on an image: one finding per container, classified from the best
// message there is, with the waiting state and the latest Failed event.
func ruleImagePull(c *PodContext) []Finding {
	var out []Finding
	for _, pc := range c.containers() {
		switch pc.waitingReason() {
		case "ErrImagePull", "ImagePullBackOff", "RegistryUnavailable", "SignatureValidationFailed", "ImageInspectError":
			out = append(out, c.pullFinding(pc))
		case "InvalidImageName":
			out = append(out, c.simpleImageFinding(pc, CodeInvalidImageName,
				fmt.Sprintf("the image reference %q of %s is not a valid image name", imageOf(pc), pc.what())))
		case "ErrImageNeverPull":
			out = append(out, c.simpleImageFinding(pc, CodeErrImageNeverPull,
				fmt.Sprintf("%s has imagePullPolicy Never, and image %s is not on node %s", pc.what(), imageOf(pc), orUnknown(c.Pod.Spec.NodeName))))
		}
	}
	return out
}

func imageOf(pc podContainer) string {
	if pc.Spec != nil && pc.Spec.Image != "" {
		return pc.Spec.Image
	}
	if pc.Status != nil {
		return pc.Status.Image
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func (c *PodContext) simpleImageFinding(pc podContainer, code Code, cause string) Finding {
	f := c.finding(code, pc.Name, cause)
	f.Evidence = []Evidence{waitingEvidence(pc)}
	if e := latestEvent(c.eventsFor(pc.Name, "Failed", "InspectFailed", "ErrImageNeverPull")); e != nil {
		f.Evidence = append(f.Evidence, eventEvidence(e))
	}
	f.Facts["image"] = imageOf(pc)
	f.Facts["reason"] = pc.waitingReason()
	if pc.Init {
		f.Facts["init"] = "true"
	}
	f.Next = []string{c.cmdDescribe()}
	return f
}

func (c *PodContext) pullFinding(pc podContainer) Finding {
	w := pc.waiting()
	image := imageOf(pc)
	ev := c.pullEvent(pc, image)
	code, kind, msg := classifyPullFailure(ev, w)
	reg := registryOf(image)
	// Docker Hub hides a repository that does not exist behind the
	// denial; other registries answer 404 for that, so there the denial
	// is about credentials.
	if kind == pullNotFoundOrPrivate && reg != "docker.io" {
		code, kind = CodeImagePullUnauthorized, pullAuth
	}
	cause := c.pullCause(kind, image, reg, msg, ev)
	if pc.Init || len(c.Pod.Spec.Containers) > 1 {
		cause = pc.what() + ": " + cause
	}
	f := c.finding(code, pc.Name, cause)
	f.Evidence = []Evidence{waitingEvidence(pc)}
	if ev != nil {
		f.Evidence = append(f.Evidence, eventEvidence(ev))
	} else if bo := latestEvent(eventsMatching(c.eventsFor(pc.Name, "BackOff"), func(m string) bool { return strings.HasPrefix(m, "Back-off pulling image") })); bo != nil {
		f.Evidence = append(f.Evidence, eventEvidence(bo))
	}
	f.Facts["image"] = image
	f.Facts["registry"] = reg
	f.Facts["kind"] = kind
	f.Facts["reason"] = w.Reason
	if pc.Init {
		f.Facts["init"] = "true"
	}
	c.pullFactsAndNext(&f, kind, msg)
	f.Next = append(f.Next, c.cmdDescribe())
	return f
}

// pullEvent is the latest Failed event that carries the registry's words
// about this very image (the spec may have changed since), or nil.
func (c *PodContext) pullEvent(pc podContainer, image string) *corev1.Event {
	var ev *corev1.Event
	for _, e := range eventsMatching(c.eventsFor(pc.Name, "Failed"), isPullFailure) {
		if m := reImageInPull.FindStringSubmatch(e.Message); m == nil || sameImage(m[1], image) {
			ev = e
		}
	}
	return ev
}

// classifyPullFailure classifies the best message there is: the event
// carries the registry's own words; the waiting message of a back-off
// carries them too on recent kubelets ("Back-off pulling image "x":
// ErrImagePull: ..."); RegistryUnavailable says it alone. msg is the
// message it read.
func classifyPullFailure(ev *corev1.Event, w *corev1.ContainerStateWaiting) (code Code, kind, msg string) {
	code, kind = CodeImagePullBackOff, pullUnknown
	if ev != nil {
		msg = ev.Message
		code, kind = classifyPull(ev.Message)
	}
	if kind == pullUnknown {
		if cd, k := classifyPull(w.Message); k != pullUnknown {
			code, kind, msg = cd, k, w.Message
		}
	}
	if kind == pullUnknown && w.Reason == "RegistryUnavailable" {
		code, kind = CodeImagePullNetworkError, pullNetwork
	}
	return code, kind, msg
}

// pullCause words each kind of pull failure.
func (c *PodContext) pullCause(kind, image, reg, msg string, ev *corev1.Event) string {
	node := orUnknown(c.Pod.Spec.NodeName)
	switch kind {
	case pullNotFound:
		return fmt.Sprintf("image %s does not exist: the tag or repository name is wrong, or it was never pushed", image)
	case pullNotFoundOrPrivate:
		return fmt.Sprintf("image %s does not exist, or is private and needs credentials (registry %s does not say which): most often a typo in the name or an image never pushed", image, reg)
	case pullAuth:
		if strings.Contains(strings.ToLower(msg), "repository does not exist or may require") {
			return fmt.Sprintf("registry %s refused to pull %s: it is private and the pod has no credentials for it, or the repository does not exist", reg, image)
		}
		return fmt.Sprintf("registry %s refused to pull %s: the credentials (imagePullSecrets) are missing or wrong", reg, image)
	case pullDiskFull:
		return fmt.Sprintf("node %s has no disk space left to unpack image %s: the node's disk is full, not a fault of the image", node, image)
	case pullRateLimit:
		return fmt.Sprintf("registry %s rate-limited the pull of %s: too many pulls, anonymous or from this node's address", reg, image)
	case pullNetwork:
		if m := reDNSLookup.FindStringSubmatch(msg); m != nil {
			return fmt.Sprintf("node %s cannot resolve registry host %s (DNS: %s), so it cannot pull %s: a DNS problem of the node or the name, not the image",
				node, m[1], m[2], image)
		}
		return fmt.Sprintf("node %s could not reach registry %s to pull %s: %s", node, reg, image, networkDetail(msg))
	case pullPlatform:
		return c.platformCause(image, msg)
	}
	cause := fmt.Sprintf("image %s cannot be pulled and the kubelet is backing off", image)
	if ev == nil && c.G != nil && c.G.Has("events") {
		cause += "; the Failed event that said why has expired"
	}
	return cause
}

// platformCause names the platform the image lacks: from the registry's
// words, else the node's.
func (c *PodContext) platformCause(image, msg string) string {
	plat := ""
	if m := rePlatform.FindStringSubmatch(msg); m != nil {
		plat = m[1]
	}
	if plat == "" && c.Node != nil {
		plat = c.Node.Status.NodeInfo.OperatingSystem + "/" + c.Node.Status.NodeInfo.Architecture
	}
	if plat != "" {
		return fmt.Sprintf("image %s has no variant for %s, the platform of node %s", image, plat, orUnknown(c.Pod.Spec.NodeName))
	}
	return fmt.Sprintf("image %s has no variant for the platform of node %s", image, orUnknown(c.Pod.Spec.NodeName))
}

// pullFactsAndNext adds what each kind of failure needs looked at: the
// pull secrets for a refusal, the node for its network, platform or disk.
func (c *PodContext) pullFactsAndNext(f *Finding, kind, msg string) {
	p := c.Pod
	switch kind {
	case pullDiskFull:
		f.Facts["node"] = p.Spec.NodeName
		if m := reNoSpacePath.FindStringSubmatch(msg); m != nil {
			f.Facts["path"] = m[1]
		}
	case pullNetwork:
		if m := reDNSLookup.FindStringSubmatch(msg); m != nil {
			f.Facts["dnsHost"] = m[1]
		}
	}
	switch kind {
	case pullAuth, pullNotFoundOrPrivate:
		if len(p.Spec.ImagePullSecrets) == 0 {
			sa := p.Spec.ServiceAccountName
			if sa == "" {
				sa = "default"
			}
			f.Facts["imagePullSecrets"] = ""
			f.Next = append(f.Next, fmt.Sprintf("kubectl get serviceaccount %s%s -o jsonpath='{.imagePullSecrets}'", sa, nsFlag(p.Namespace)))
			return
		}
		var names []string
		for _, s := range p.Spec.ImagePullSecrets {
			names = append(names, s.Name)
			f.Next = append(f.Next, fmt.Sprintf("kubectl get secret %s%s", s.Name, nsFlag(p.Namespace)))
		}
		f.Facts["imagePullSecrets"] = strings.Join(names, ",")
	case pullNetwork, pullPlatform, pullDiskFull:
		if p.Spec.NodeName != "" {
			f.Next = append(f.Next, cmdDescribeNode(p.Spec.NodeName))
		}
	}
}

// sameImage says whether two references name the same image once
// normalized as the kubelet does: "nginx", "docker.io/library/nginx" and
// "nginx:latest" are one image (the kubelet adds ":latest" to untagged
// references in its events).
func sameImage(a, b string) bool {
	return a == b || normalImage(a) == normalImage(b) && normalImage(a) != ""
}

// normalImage is the fully qualified, tagged form of an image reference,
// "" when it does not parse.
func normalImage(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return ""
	}
	return reference.TagNameOnly(named).String()
}

func networkDetail(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case reDNSLookup.MatchString(msg):
		m := reDNSLookup.FindStringSubmatch(msg)
		return fmt.Sprintf("DNS lookup of %s failed (%s)", m[1], m[2])
	case strings.Contains(l, "no such host"), strings.Contains(l, "server misbehaving"), strings.Contains(l, "temporary failure in name resolution"):
		return "the registry name does not resolve (DNS)"
	case strings.Contains(l, "x509:"), strings.Contains(l, "certificate"), strings.Contains(l, "tls:"):
		return "its TLS certificate is not trusted by the node"
	case strings.Contains(l, "connection refused"):
		return "the connection was refused"
	case strings.Contains(l, "i/o timeout"), strings.Contains(l, "deadline exceeded"), strings.Contains(l, "handshake timeout"):
		return "the connection timed out"
	case strings.Contains(l, "http response to https client"):
		return "the registry speaks plain HTTP and the node expects HTTPS"
	}
	return "a network error"
}
