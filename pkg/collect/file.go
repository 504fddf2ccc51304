package collect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/resource"
	"sigs.k8s.io/yaml"
)

// stdin is what "-" reads; tests replace it.
var stdin io.Reader = os.Stdin

// stdinSource names standard input in messages, as kubectl does.
const stdinSource = "STDIN"

// FromFiles reads saved objects (kubectl get -o yaml|json output, Lists,
// several files, directories such as a `kubectl cluster-info dump`, or "-"
// for standard input) into a snapshot, through cli-runtime's resource
// builder exactly as kubectl reads -f. Kinds the plugin does not use are
// skipped and counted in the returned notes.
//
// The snapshot stands for the moment the objects were saved, taken from
// what they record (see asOf), so that a dump copied, checked out or piped
// a year later gives the answer it gave the day it was taken.
//
// Files that hold nothing to explain are an error, not an empty answer:
// exit status 0 would claim that every target is Ready, and an empty file
// is what a failed `kubectl get ... > state.yaml` leaves behind.
func FromFiles(filenames []string, opts FileOptions) (*graph.Snapshot, []string, error) {
	where := strings.Join(filenames, ",")
	fail := func(err error) (*graph.Snapshot, []string, error) {
		return nil, nil, fmt.Errorf("read -f %s: %w", where, err)
	}
	b := resource.NewLocalBuilder().Unstructured().ContinueOnError()
	var paths []string
	var in []byte
	haveStdin := false
	for _, f := range filenames {
		if f != "-" {
			paths = append(paths, f)
			continue
		}
		if haveStdin {
			return fail(errors.New(`"-" (standard input) can be given only once`))
		}
		// Read here rather than by the builder so that a parse error can
		// be located in what was read.
		data, err := io.ReadAll(stdin)
		if err != nil {
			return fail(fmt.Errorf("read standard input: %w", err))
		}
		haveStdin, in = true, data
		b = b.Stream(bytes.NewReader(data), stdinSource)
	}
	if err := checkDirs(paths); err != nil {
		return fail(err)
	}
	if len(paths) > 0 {
		b = b.FilenameParam(false, &resource.FilenameOptions{Filenames: paths, Recursive: true})
	}
	r := b.Do()
	if err := r.Err(); err != nil {
		return fail(explainReadError(err, in))
	}
	rd := &fileReader{snap: &graph.Snapshot{}, namespace: opts.Namespace, skipped: map[string]int{}, kinds: map[string]bool{}, sources: map[string]bool{}}
	err := r.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			return err
		}
		rd.sources[info.Source] = true
		return rd.add(info.Source, info.Object, 0)
	})
	if err != nil {
		return fail(explainReadError(err, in))
	}
	if err := rd.nothingToExplain(); err != nil {
		return fail(err)
	}
	snap := rd.snap
	var asOfNote string
	snap.Now, asOfNote = rd.asOf(opts)
	rd.markCollected()
	return snap, append(rd.notes(), asOfNote), nil
}

// FileOptions say how FromFiles reads saved objects.
type FileOptions struct {
	// Namespace is given to objects of namespaced kinds saved without one,
	// as kubectl does with -f: the -n flag, or the context's namespace.
	// Empty leaves them without.
	Namespace string
	// AsOf, when set, is the moment the snapshot stands for (--as-of).
	AsOf time.Time
	// Now is the wall clock, the latest moment the snapshot can stand for.
	Now time.Time
}

// checkDirs says plainly when a directory holds nothing -f can read (the
// builder's own words are "recognized file extensions are [...]").
func checkDirs(paths []string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			continue // the builder names missing paths and expands globs
		}
		found := false
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			for _, ext := range resource.FileExtensions {
				if strings.HasSuffix(path, ext) {
					found = true
					return filepath.SkipAll
				}
			}
			return nil
		})
		if !found {
			return fmt.Errorf("directory %s holds no %s files", p, strings.Join(resource.FileExtensions, ", "))
		}
	}
	return nil
}

// fileReader turns decoded objects into a snapshot and remembers what the
// answer must say about them.
type fileReader struct {
	snap      *graph.Snapshot
	namespace string          // for objects saved without one; "" leaves them
	placed    int             // objects given that namespace
	skipped   map[string]int  // unsupported kind -> count
	kinds     map[string]bool // kinds present, as objects or as typed (possibly empty) lists
	sources   map[string]bool // files read, for their modification times
	objects   int
	// latest is the newest moment the objects record: they cannot have
	// been saved before it.
	latest      time.Time
	noStatus    []string // workloads and pods without status: manifests, not state
	orphans     []string // pods whose controller is not in the files
	orphanCount int
}

// maxListDepth bounds Lists nested in Lists; real output nests one deep.
const maxListDepth = 8

func (rd *fileReader) add(source string, obj runtime.Object, depth int) error {
	if depth > maxListDepth {
		return &objectError{source: source, msg: fmt.Sprintf("Lists nested more than %d deep", maxListDepth)}
	}
	switch o := obj.(type) {
	case *unstructured.UnstructuredList:
		// A typed list ("PodList", as `kubectl cluster-info dump` writes)
		// says that kind was saved even when it has no items.
		if k, ok := strings.CutSuffix(o.GetKind(), "List"); ok && k != "" {
			rd.kinds[k] = true
		}
		for i := range o.Items {
			if err := rd.add(source, &o.Items[i], depth+1); err != nil {
				return err
			}
		}
		return nil
	case *unstructured.Unstructured:
		if o.IsList() {
			l, err := o.ToList()
			if err != nil {
				return &objectError{source: source, msg: fmt.Sprintf("%s: %v", o.GetKind(), err)}
			}
			return rd.add(source, l, depth+1)
		}
		return rd.addOne(source, o)
	}
	return nil
}

func (rd *fileReader) addOne(source string, u *unstructured.Unstructured) error {
	rd.objects++
	rd.record(u)
	gvk := u.GroupVersionKind()
	if gvk.Kind == "" {
		// Only items of a generic List can get here without one: typed
		// lists (PodList) lend their items their kind.
		return &objectError{source: source, msg: fmt.Sprintf("an object with no kind (metadata.name %q)", u.GetName())}
	}
	if !supported(gvk.Group, gvk.Kind) {
		k := gvk.Kind
		if gvk.Group != "" && gvk.Group != "apps" && gvk.Group != "batch" {
			k += "." + gvk.Group // events.k8s.io Events are not core Events
		}
		rd.skipped[k]++
		return nil
	}
	if u.GetName() == "" {
		return &objectError{source: source, msg: fmt.Sprintf("a %s with no metadata.name: kubectl why explains saved objects (kubectl get -o yaml), not manifests", gvk.Kind)}
	}
	rd.kinds[gvk.Kind] = true
	rd.placeNamespace(u)
	if err := addObject(rd.snap, u); err != nil {
		ref := u.GetName()
		if ns := u.GetNamespace(); ns != "" {
			ref = ns + "/" + ref
		}
		return &objectError{source: source, msg: fmt.Sprintf("%s %s: %v", gvk.Kind, ref, err)}
	}
	if _, hasStatus := u.Object["status"]; !hasStatus && isWorkloadOrPod(gvk.Kind) {
		rd.noStatus = append(rd.noStatus, strings.ToLower(gvk.Kind)+"/"+u.GetName())
	}
	return nil
}

// objectError is a problem with one decoded object; it names its file.
type objectError struct{ source, msg string }

func (e *objectError) Error() string { return e.source + ": " + e.msg }

func supported(group, kind string) bool {
	switch kind {
	case "Pod", "Event", "Node", "PersistentVolumeClaim", "ResourceQuota", "LimitRange":
		return group == ""
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
		return group == "apps"
	case "Job", "CronJob":
		return group == "batch"
	}
	return false
}

func isWorkloadOrPod(kind string) bool {
	switch kind {
	case "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob":
		return true
	}
	return false
}

// namespaced are the kinds FromFiles reads that live in a namespace (all
// but Node), by kind alone, as the graph matches events to objects.
var namespaced = map[string]bool{
	"Pod": true, "Event": true, "PersistentVolumeClaim": true, "ResourceQuota": true, "LimitRange": true,
	"Deployment": true, "ReplicaSet": true, "StatefulSet": true, "DaemonSet": true, "Job": true, "CronJob": true,
}

// placeNamespace puts an object saved without a namespace in rd.namespace,
// as kubectl does with -f; and the involvedObject of an event, when it has
// none, in the event's own (the recorder writes an event in its object's
// namespace), so that events without involvedObject.uid still match their
// object by name.
func (rd *fileReader) placeNamespace(u *unstructured.Unstructured) {
	kind := u.GetKind()
	if !namespaced[kind] {
		return
	}
	if u.GetNamespace() == "" && rd.namespace != "" {
		u.SetNamespace(rd.namespace)
		rd.placed++
	}
	if kind != "Event" || u.GetNamespace() == "" {
		return
	}
	involved, _, _ := unstructured.NestedString(u.Object, "involvedObject", "kind")
	ns, _, _ := unstructured.NestedString(u.Object, "involvedObject", "namespace")
	if ns == "" && namespaced[involved] {
		_ = unstructured.SetNestedField(u.Object, u.GetNamespace(), "involvedObject", "namespace")
	}
}

// record notes the moments u records: each is something that happened
// before the objects were saved, written by the apiserver, a controller or
// a kubelet. Fields that may lie ahead (a deletionTimestamp, which adds
// the grace period; a CronJob's schedule; the spec of a custom resource)
// are not read, or read as what they imply.
func (rd *fileReader) record(u *unstructured.Unstructured) {
	see := func(t time.Time) {
		if t.After(rd.latest) {
			rd.latest = t
		}
	}
	at := func(obj map[string]any, fields ...string) {
		s, _, _ := unstructured.NestedString(obj, fields...)
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			see(t)
		}
	}
	each := func(obj map[string]any, fields []string, do func(map[string]any)) {
		v, _, _ := unstructured.NestedFieldNoCopy(obj, fields...)
		items, _ := v.([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				do(m)
			}
		}
	}
	o := u.Object
	at(o, "metadata", "creationTimestamp")
	// Deletion was asked for at deletionTimestamp minus the grace period
	// (the apiserver writes both, 0 when only finalizers hold the object).
	if del, grace := u.GetDeletionTimestamp(), u.GetDeletionGracePeriodSeconds(); del != nil && grace != nil {
		see(del.Add(-time.Duration(*grace) * time.Second))
	}
	each(o, []string{"metadata", "managedFields"}, func(m map[string]any) { at(m, "time") })
	each(o, []string{"status", "conditions"}, func(c map[string]any) {
		for _, k := range []string{"lastTransitionTime", "lastUpdateTime", "lastProbeTime", "lastHeartbeatTime"} {
			at(c, k)
		}
	})
	gvk := u.GroupVersionKind()
	switch {
	case gvk.Kind == "Pod" && gvk.Group == "":
		at(o, "status", "startTime")
		for _, list := range []string{"initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"} {
			each(o, []string{"status", list}, func(cs map[string]any) {
				for _, state := range []string{"state", "lastState"} {
					at(cs, state, "running", "startedAt")
					at(cs, state, "terminated", "startedAt")
					at(cs, state, "terminated", "finishedAt")
				}
			})
		}
	case gvk.Kind == "Job" && gvk.Group == "batch":
		at(o, "status", "startTime")
		at(o, "status", "completionTime")
	case gvk.Kind == "CronJob" && gvk.Group == "batch":
		at(o, "status", "lastScheduleTime")
		at(o, "status", "lastSuccessfulTime")
	case gvk.Kind == "Event": // core/v1 and events.k8s.io/v1
		for _, k := range []string{"firstTimestamp", "lastTimestamp", "eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"} {
			at(o, k)
		}
		at(o, "series", "lastObservedTime")
	case gvk.Kind == "Lease" && gvk.Group == "coordination.k8s.io": // node heartbeats
		at(o, "spec", "acquireTime")
		at(o, "spec", "renewTime")
	}
}

// nothingToExplain is an error when the files hold no pod or workload.
func (rd *fileReader) nothingToExplain() error {
	s := rd.snap
	if len(s.Pods)+len(s.Deployments)+len(s.ReplicaSets)+len(s.StatefulSets)+len(s.DaemonSets)+len(s.Jobs)+len(s.CronJobs) > 0 {
		return nil
	}
	if rd.objects == 0 {
		return errors.New("no Kubernetes objects found: the files are empty or hold only empty Lists")
	}
	var found []string
	for k, n := range map[string]int{"Event": len(s.Events), "Node": len(s.Nodes), "PersistentVolumeClaim": len(s.PVCs),
		"ResourceQuota": len(s.ResourceQuotas), "LimitRange": len(s.LimitRanges)} {
		if n > 0 {
			rd.skipped[k] += n
		}
	}
	for _, k := range sortedKeys(rd.skipped) {
		found = append(found, fmt.Sprintf("%d %s", rd.skipped[k], k))
	}
	return fmt.Errorf("nothing to explain: no pods, deployments, replicasets, statefulsets, daemonsets, jobs or cronjobs (found %s)", strings.Join(found, ", "))
}

// asOf is the moment the snapshot stands for, and a note that says which
// and why. It is the newest moment the objects record: everything they
// record happened before they were saved, and it moves with them, unlike a
// modification time (a copy, a git checkout or a download resets it) or
// the clock. It is never later than now: a later one is a clock ahead of
// this machine's. Only objects that record no time at all fall back to
// the files' modification time, then to now.
func (rd *fileReader) asOf(opts FileOptions) (time.Time, string) {
	const change = "; use --as-of to change it"
	utc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch {
	case !opts.AsOf.IsZero():
		return opts.AsOf, fmt.Sprintf("saved objects explained as of %s (--as-of)", utc(opts.AsOf))
	case !rd.latest.IsZero() && !rd.latest.After(opts.Now):
		return rd.latest, fmt.Sprintf("saved objects explained as of %s (the newest time they record)%s", utc(rd.latest), change)
	case !rd.latest.IsZero():
		return opts.Now, fmt.Sprintf("saved objects record times up to %s, later than this machine's clock: explained as of now (%s)%s", utc(rd.latest), utc(opts.Now), change)
	}
	var mtime time.Time
	for src := range rd.sources {
		if src == stdinSource {
			continue
		}
		if fi, err := os.Stat(src); err == nil && fi.ModTime().After(mtime) {
			mtime = fi.ModTime()
		}
	}
	if !mtime.IsZero() && mtime.Before(opts.Now) {
		return mtime, fmt.Sprintf("saved objects record no time: explained as of %s (the files' modification time)%s", utc(mtime), change)
	}
	return opts.Now, fmt.Sprintf("saved objects record no time: explained as of now (%s)%s", utc(opts.Now), change)
}

// markCollected records which resources the files hold. A kind that was not
// saved is a gap, not an empty list: without events "no events" would read
// as "they expired", and without claims every claim would look missing.
func (rd *fileReader) markCollected() {
	s := rd.snap
	for kind, res := range map[string]string{
		"Pod": graph.ResPods, "ReplicaSet": graph.ResReplicaSets, "Deployment": graph.ResDeployments,
		"StatefulSet": graph.ResStatefulSets, "DaemonSet": graph.ResDaemonSets, "Job": graph.ResJobs, "CronJob": graph.ResCronJobs, "Event": graph.ResEvents, "Node": graph.ResNodes,
		"PersistentVolumeClaim": graph.ResPVCs, "ResourceQuota": graph.ResResourceQuotas, "LimitRange": graph.ResLimitRanges,
	} {
		if rd.kinds[kind] {
			s.MarkCollected(res)
		}
	}
	if len(s.Pods) == 0 {
		return
	}
	if !rd.kinds["Event"] {
		s.AddGap(graph.ResEvents, "the files hold no events (save them too: kubectl get events -o yaml)")
	}
	if !rd.kinds["Node"] {
		s.AddGap(graph.ResNodes, "the files hold no nodes")
	}
	if !rd.kinds["PersistentVolumeClaim"] {
		for i := range s.Pods {
			if len(podClaimNames(&s.Pods[i])) > 0 {
				s.AddGap(graph.ResPVCs, "the files hold no persistentvolumeclaims")
				break
			}
		}
	}
	// Pods whose controller was not saved are explained on their own.
	owners := map[string]bool{}
	for i := range s.ReplicaSets {
		owners[string(s.ReplicaSets[i].UID)] = true
	}
	for i := range s.StatefulSets {
		owners[string(s.StatefulSets[i].UID)] = true
	}
	for i := range s.DaemonSets {
		owners[string(s.DaemonSets[i].UID)] = true
	}
	for i := range s.Jobs {
		owners[string(s.Jobs[i].UID)] = true
	}
	for i := range s.Pods {
		p := &s.Pods[i]
		c := metav1.GetControllerOfNoCopy(p)
		if c == nil || (c.Kind != KindReplicaSet && c.Kind != KindStatefulSet && c.Kind != KindDaemonSet && c.Kind != KindJob) || owners[string(c.UID)] {
			continue
		}
		rd.orphanCount++
		if o := strings.ToLower(c.Kind) + "/" + c.Name; len(rd.orphans) < 3 && !contains(rd.orphans, o) {
			rd.orphans = append(rd.orphans, o)
		}
	}
}

func podClaimNames(p *corev1.Pod) []string {
	var out []string
	for _, v := range p.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			out = append(out, v.PersistentVolumeClaim.ClaimName)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (rd *fileReader) notes() []string {
	var notes []string
	if len(rd.skipped) > 0 {
		var parts []string
		for _, k := range sortedKeys(rd.skipped) {
			parts = append(parts, fmt.Sprintf("%d %s", rd.skipped[k], k))
		}
		notes = append(notes, fmt.Sprintf("skipped %s: kubectl why does not use these kinds", strings.Join(parts, ", ")))
	}
	if n := len(rd.noStatus); n > 0 {
		ex := rd.noStatus
		if len(ex) > 3 {
			ex = ex[:3]
		}
		notes = append(notes, fmt.Sprintf("%d object(s) have no status (%s%s): they look like manifests, not saved state; save the live objects with kubectl get -o yaml",
			n, strings.Join(ex, ", "), map[bool]string{true: ", ...", false: ""}[n > 3]))
	}
	if rd.orphanCount > 0 {
		notes = append(notes, fmt.Sprintf("%d pod(s) belong to owners that are not in the files (%s): their rollout is not checked",
			rd.orphanCount, strings.Join(rd.orphans, ", ")))
	}
	if rd.placed > 0 {
		notes = append(notes, fmt.Sprintf("%d object(s) saved without metadata.namespace are read as in namespace %s, as kubectl reads -f (-n, or the context's namespace)",
			rd.placed, rd.namespace))
	}
	return notes
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Builder errors that name the file they came from.
var (
	sourceRE   = regexp.MustCompile(`^(?:error parsing (.+?)|unable to decode "(.+?)"|unable to recognize "(.+?)"): `)
	yamlLineRE = regexp.MustCompile(`yaml: line (\d+): (.*)$`)
)

// explainReadError rewrites the builder's errors into one line that names
// the file and the line at fault. The builder numbers YAML lines from the
// start of each document, not of the file, and an object without a kind is
// quoted whole; both are located here again, on the error path only.
func explainReadError(err error, in []byte) error {
	var agg utilerrors.Aggregate
	if errors.As(err, &agg) && len(agg.Errors()) > 1 {
		var msgs []string
		seen := map[string]bool{}
		for _, e := range agg.Errors() {
			m := explainReadError(e, in).Error()
			if !seen[m] {
				seen[m] = true
				msgs = append(msgs, m)
			}
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	if agg != nil && len(agg.Errors()) == 1 {
		err = agg.Errors()[0]
	}
	var oe *objectError
	if errors.As(err, &oe) {
		return err
	}
	if m := sourceRE.FindStringSubmatch(err.Error()); m != nil {
		src := m[1] + m[2] + m[3]
		data := in
		if src != stdinSource {
			data, _ = os.ReadFile(src)
		}
		if msg := locate(data); msg != "" {
			return errors.New(src + ":" + msg)
		}
	}
	return errors.New(oneLine(err.Error()))
}

// oneLine keeps an error on one line (a CRD mapping error ends with
// "\nensure CRDs are installed first").
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// document is one YAML document of a file and the line it starts on.
type document struct {
	line int // where the document starts
	data []byte
}

// contentLine is the first line of d that is not blank or a comment: where
// a reader looks for the object a message is about.
func (d document) contentLine() int {
	for i, l := range strings.Split(string(d.data), "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return d.line + i
		}
	}
	return d.line
}

// splitDocuments cuts data at "---" lines exactly as the builder's
// YAMLReader does, remembering where each document starts. It stops at a
// "---" line followed by text, which the builder rejects, and returns its
// line number (0 when there is none).
func splitDocuments(data []byte) (docs []document, badSep int) {
	var cur bytes.Buffer
	start, n := 1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), len(data)+1)
	for sc.Scan() {
		n++
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "---"); ok {
			if t := strings.TrimSpace(rest); t != "" && !strings.HasPrefix(t, "#") {
				badSep = n
				break
			}
			if cur.Len() > 0 {
				docs = append(docs, document{start, append([]byte(nil), cur.Bytes()...)})
			}
			cur.Reset()
			start = n + 1
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	if cur.Len() > 0 {
		docs = append(docs, document{start, cur.Bytes()})
	}
	return docs, badSep
}

// locate finds the first thing in data the builder could not read and
// returns "LINE: what", or "" when it finds nothing wrong.
func locate(data []byte) string {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		if msg := locateJSON(data); msg != "" {
			return msg
		}
	}
	docs, badSep := splitDocuments(data)
	for _, d := range docs {
		j, err := yaml.YAMLToJSON(d.data)
		if err != nil {
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				n, _ := strconv.Atoi(m[1])
				return fmt.Sprintf("%d: invalid YAML: %s", d.line+n-1, m[2])
			}
			msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
			return fmt.Sprintf("%d: invalid YAML in the document starting here: %s", d.contentLine(), strings.TrimPrefix(msg, "yaml: "))
		}
		if msg := notAnObject(j); msg != "" {
			return fmt.Sprintf("%d: %s", d.contentLine(), msg)
		}
	}
	if badSep > 0 {
		return fmt.Sprintf("%d: invalid YAML: a document separator (---) may be followed only by a comment", badSep)
	}
	return ""
}

// locateJSON reads a stream of JSON values and names the line of the first
// syntax error or non-object.
func locateJSON(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return ""
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Sprintf("%d: invalid JSON: %s", lineAt(data, syn.Offset), syn.Error())
		}
		if err != nil {
			return fmt.Sprintf("%d: invalid JSON: %s", lineAt(data, start), err)
		}
		if msg := notAnObject(raw); msg != "" {
			// start is where the previous value ended: skip to this one.
			for start < int64(len(data)) && strings.IndexByte(" \t\r\n", data[start]) >= 0 {
				start++
			}
			return fmt.Sprintf("%d: %s", lineAt(data, start), msg)
		}
	}
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// notAnObject says why a decoded document is not a Kubernetes object (or a
// List of them), or "" when it is one.
func notAnObject(j []byte) string {
	var v any
	if err := json.Unmarshal(j, &v); err != nil || v == nil {
		return ""
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("not a Kubernetes object: a document must be a mapping with apiVersion and kind, not a %s", jsonType(v))
	}
	return objectProblem(m, "", false)
}

// objectProblem checks m and, in a List, its items. typed says m is an
// item of a typed list (PodList), whose items carry no kind of their own.
func objectProblem(m map[string]any, at string, typed bool) string {
	kind, _ := m["kind"].(string)
	items, isList := m["items"].([]any)
	if kind == "" && !isList && !typed {
		return "not a Kubernetes object: " + at + "no kind"
	}
	itemsTyped := strings.HasSuffix(kind, "List") && kind != "List"
	for i, it := range items {
		im, ok := it.(map[string]any)
		if !ok {
			return fmt.Sprintf("not a Kubernetes object: %sitems[%d] is a %s", at, i, jsonType(it))
		}
		if msg := objectProblem(im, fmt.Sprintf("%sitems[%d]: ", at, i), itemsTyped); msg != "" {
			return msg
		}
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "mapping"
}

type unsupportedKind string

func (u unsupportedKind) Error() string { return "unsupported kind " + string(u) }

func addObject(s *graph.Snapshot, u *unstructured.Unstructured) error {
	conv := runtime.DefaultUnstructuredConverter
	gv := u.GroupVersionKind()
	switch {
	case gv.Group == "" && gv.Kind == "Pod":
		var o corev1.Pod
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Pods = append(s.Pods, o)
	case gv.Group == "apps" && gv.Kind == "Deployment":
		var o appsv1.Deployment
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Deployments = append(s.Deployments, o)
	case gv.Group == "apps" && gv.Kind == "ReplicaSet":
		var o appsv1.ReplicaSet
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.ReplicaSets = append(s.ReplicaSets, o)
	case gv.Group == "apps" && gv.Kind == "StatefulSet":
		var o appsv1.StatefulSet
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.StatefulSets = append(s.StatefulSets, o)
	case gv.Group == "apps" && gv.Kind == "DaemonSet":
		var o appsv1.DaemonSet
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.DaemonSets = append(s.DaemonSets, o)
	case gv.Group == "batch" && gv.Kind == "Job":
		var o batchv1.Job
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Jobs = append(s.Jobs, o)
	case gv.Group == "batch" && gv.Kind == "CronJob":
		var o batchv1.CronJob
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.CronJobs = append(s.CronJobs, o)
	case gv.Group == "" && gv.Kind == "Event":
		var o corev1.Event
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Events = append(s.Events, o)
	case gv.Group == "" && gv.Kind == "Node":
		var o corev1.Node
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Nodes = append(s.Nodes, o)
	case gv.Group == "" && gv.Kind == "PersistentVolumeClaim":
		var o corev1.PersistentVolumeClaim
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.PVCs = append(s.PVCs, o)
	case gv.Group == "" && gv.Kind == "ResourceQuota":
		var o corev1.ResourceQuota
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.ResourceQuotas = append(s.ResourceQuotas, o)
	case gv.Group == "" && gv.Kind == "LimitRange":
		var o corev1.LimitRange
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.LimitRanges = append(s.LimitRanges, o)
	default:
		return unsupportedKind(gv.Kind)
	}
	return nil
}
