package collect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/resource"
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
	k := kindOfGroup(gvk.GroupKind())
	if k == nil {
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
	if err := k.slot.decode(rd.snap, u.Object); err != nil {
		ref := u.GetName()
		if ns := u.GetNamespace(); ns != "" {
			ref = ns + "/" + ref
		}
		return &objectError{source: source, msg: fmt.Sprintf("%s %s: %v", gvk.Kind, ref, err)}
	}
	if _, hasStatus := u.Object["status"]; !hasStatus && k.explained {
		rd.noStatus = append(rd.noStatus, strings.ToLower(gvk.Kind)+"/"+u.GetName())
	}
	return nil
}

// objectError is a problem with one decoded object; it names its file.
type objectError struct{ source, msg string }

func (e *objectError) Error() string { return e.source + ": " + e.msg }

// placeNamespace puts an object saved without a namespace in rd.namespace,
// as kubectl does with -f; and the involvedObject of an event, when it has
// none, in the event's own (the recorder writes an event in its object's
// namespace), so that events without involvedObject.uid still match their
// object by name.
func (rd *fileReader) placeNamespace(u *unstructured.Unstructured) {
	kind := u.GetKind()
	if !namespaced(kind) {
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
	if ns == "" && namespaced(involved) {
		_ = unstructured.SetNestedField(u.Object, u.GetNamespace(), "involvedObject", "namespace")
	}
}

// nothingToExplain is an error when the files hold no pod or workload.
func (rd *fileReader) nothingToExplain() error {
	found := 0
	for _, k := range kinds {
		if k.explained {
			found += k.slot.len(rd.snap)
		}
	}
	if found > 0 {
		return nil
	}
	if rd.objects == 0 {
		return errors.New("no Kubernetes objects found: the files are empty or hold only empty Lists")
	}
	for _, k := range kinds {
		if n := k.slot.len(rd.snap); n > 0 {
			rd.skipped[k.Kind] += n
		}
	}
	return fmt.Errorf("nothing to explain: no pods, deployments, replicasets, statefulsets, daemonsets, jobs or cronjobs (found %s)", rd.skippedList())
}

// markCollected records which resources the files hold. A kind that was not
// saved is a gap, not an empty list: without events "no events" would read
// as "they expired", and without claims every claim would look missing.
func (rd *fileReader) markCollected() {
	s := rd.snap
	for _, k := range kinds {
		if rd.kinds[k.Kind] {
			s.MarkCollected(k.key)
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
		if c == nil || (c.Kind != explain.KindReplicaSet && c.Kind != explain.KindStatefulSet && c.Kind != explain.KindDaemonSet && c.Kind != explain.KindJob) || owners[string(c.UID)] {
			continue
		}
		rd.orphanCount++
		if o := strings.ToLower(c.Kind) + "/" + c.Name; len(rd.orphans) < 3 && !slices.Contains(rd.orphans, o) {
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

func (rd *fileReader) notes() []string {
	var notes []string
	if len(rd.skipped) > 0 {
		notes = append(notes, fmt.Sprintf("skipped %s: kubectl why does not use these kinds", rd.skippedList()))
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

// skippedList counts the kinds skipped, by name: "1 ConfigMap, 2 Service".
func (rd *fileReader) skippedList() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(rd.skipped)) {
		parts = append(parts, fmt.Sprintf("%d %s", rd.skipped[k], k))
	}
	return strings.Join(parts, ", ")
}

// namespaced says whether a kind FromFiles reads lives in a namespace (all
// but Node), by kind alone, as the graph matches events to objects.
func namespaced(kind string) bool {
	k := kindOf(kind)
	return k != nil && k.namespaced
}
