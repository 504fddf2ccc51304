//go:build release

// These tests need the archives of a GoReleaser snapshot in dist/, so they
// sit behind the "release" build tag: `go test ./...` runs before anything
// is built. hack/release-check.sh builds dist/ and then runs them with
// -tags release.

package release

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite plugins/why.yaml from .krew.yaml and the snapshot in dist/")

// artifact is one entry of dist/artifacts.json.
type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
}

// snapshot is what GoReleaser left in dist/.
type snapshot struct {
	tag       string              // v + the snapshot's version, as a release tag
	version   string              // the version stamped into the binaries
	archives  map[string]artifact // by file name
	checksums map[string]string   // file name -> sha256, from checksums.txt
}

// loadSnapshot reads dist/. Without it the tests cannot run: locally that
// is a skip (run hack/release-check.sh), in CI a failure, since CI runs
// them only after building dist/.
func loadSnapshot(t *testing.T) snapshot {
	t.Helper()
	dist := filepath.Join(repoRoot, "dist")
	if _, err := os.Stat(filepath.Join(dist, "artifacts.json")); errors.Is(err, fs.ErrNotExist) {
		msg := "dist/artifacts.json not found: build the snapshot first with hack/release-check.sh (goreleaser release --snapshot --clean)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var meta struct {
		Version string `json:"version"`
	}
	readJSON(t, filepath.Join(dist, "metadata.json"), &meta)
	if meta.Version == "" {
		t.Fatal("dist/metadata.json has no version")
	}
	var all []artifact
	readJSON(t, filepath.Join(dist, "artifacts.json"), &all)
	s := snapshot{
		tag:       "v" + meta.Version,
		version:   meta.Version,
		archives:  map[string]artifact{},
		checksums: readChecksums(t, filepath.Join(dist, "checksums.txt")),
	}
	for _, a := range all {
		if a.Type == "Archive" {
			s.archives[a.Name] = a
		}
	}
	if len(s.archives) == 0 {
		t.Fatal("dist/artifacts.json lists no archive")
	}
	return s
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
}

func readChecksums(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			t.Fatalf("%s: malformed line %q", file, sc.Text())
		}
		sums[fields[1]] = fields[0]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

// sha answers addURIAndSha from checksums.txt, as the bot would by
// downloading the asset of the release.
func (s snapshot) sha(uri string) (string, error) {
	prefix := downloadPrefix + s.tag + "/"
	if !strings.HasPrefix(uri, prefix) {
		return "", fmt.Errorf("%s is not an asset of release %s (want the prefix %s)", uri, s.tag, prefix)
	}
	name := strings.TrimPrefix(uri, prefix)
	sum, ok := s.checksums[name]
	if !ok {
		return "", fmt.Errorf("%s names %s, which the snapshot did not build (dist/checksums.txt)", uri, name)
	}
	return sum, nil
}

func fileSHA256(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// entry is a regular file inside an archive.
type entry struct {
	mode fs.FileMode
	zip  bool // zip from GoReleaser keeps no unix mode worth checking
}

func listArchive(t *testing.T, file string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	if strings.HasSuffix(file, ".zip") {
		zr, err := zip.OpenReader(file)
		if err != nil {
			t.Fatalf("open %s: %v", file, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if !f.FileInfo().IsDir() {
				out[path.Clean(f.Name)] = entry{mode: f.Mode(), zip: true}
			}
		}
		return out
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", file, err)
		}
		if h.Typeflag == tar.TypeReg {
			out[path.Clean(h.Name)] = entry{mode: h.FileInfo().Mode()}
		}
	}
	return out
}

// install does krew's file operations on the archive's listing: each
// `from` is a glob over the unpacked archive that must match something,
// copied into `to`. It returns the installed files.
func install(t *testing.T, files []fileOp, inArchive map[string]entry) map[string]entry {
	t.Helper()
	installed := map[string]entry{}
	for _, op := range files {
		matched := false
		for name, e := range inArchive {
			ok, err := path.Match(op.From, name)
			if err != nil {
				t.Fatalf("files.from %q: %v", op.From, err)
			}
			if ok {
				matched = true
				installed[path.Join(op.To, path.Base(name))] = e
			}
		}
		if !matched {
			t.Errorf("files.from %q matches nothing in the archive (it holds %v)", op.From, keys(inArchive))
		}
	}
	return installed
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkAgainstArchives holds each platform entry of a manifest to the
// archive it names: same os/arch, same sha256, and once krew has done the
// file operations, `bin` is there and executable. Every archive must be
// named by exactly one entry.
func checkAgainstArchives(t *testing.T, name string, p plugin, s snapshot) {
	named := map[string]int{}
	for _, pl := range p.Spec.Platforms {
		goos, goarch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		t.Run("archive_"+goos+"_"+goarch, func(t *testing.T) {
			file := path.Base(pl.URI)
			named[file]++
			a, ok := s.archives[file]
			if !ok {
				t.Fatalf("%s: %s/%s downloads %s, which the snapshot did not build (it built %v)", name, goos, goarch, file, keys(s.archives))
			}
			if a.Goos != goos || a.Goarch != goarch {
				t.Errorf("%s: entry labelled %s/%s downloads %s, built for %s/%s", name, goos, goarch, file, a.Goos, a.Goarch)
			}
			if !strings.Contains(file, "_"+goos+"_"+goarch+".") {
				t.Errorf("%s: archive name %s does not say %s_%s", name, file, goos, goarch)
			}
			archive := filepath.Join(repoRoot, filepath.FromSlash(a.Path))
			if got := fileSHA256(t, archive); pl.Sha256 != got {
				t.Errorf("%s: %s sha256 = %s, the archive's is %s (krew would refuse it)", name, file, pl.Sha256, got)
			}
			inArchive := listArchive(t, archive)
			for _, want := range []string{binFor(goos), "LICENSE", "README.md", completionShim} {
				if _, ok := inArchive[want]; !ok {
					t.Errorf("%s holds no %s at its root (it holds %v)", file, want, keys(inArchive))
				}
			}
			installed := install(t, pl.Files, inArchive)
			bin, ok := installed[path.Clean(pl.Bin)]
			if !ok {
				t.Fatalf("%s: bin %q is not among the installed files %v", name, pl.Bin, keys(installed))
			}
			for what, e := range map[string]entry{pl.Bin: bin, completionShim: installed[completionShim]} {
				if !e.zip && e.mode.Perm()&0o111 == 0 {
					t.Errorf("%s: %s is installed from %s with mode %v: not executable", name, what, file, e.mode)
				}
			}
		})
	}
	for file := range s.archives {
		if named[file] != 1 {
			t.Errorf("%s: %d platform entries download %s, want exactly 1", name, named[file], file)
		}
	}
}

// TestChecksums: checksums.txt, which the release publishes and the
// manifests are rendered from, is true of every archive.
func TestChecksums(t *testing.T) {
	s := loadSnapshot(t)
	if len(s.archives) != len(platforms) {
		t.Errorf("the snapshot built %d archives (%v), want %d", len(s.archives), keys(s.archives), len(platforms))
	}
	for _, pf := range platforms {
		if _, ok := s.archives[archiveName(s.tag, pf.os, pf.arch)]; !ok {
			t.Errorf("no archive %s in dist/ (it holds %v)", archiveName(s.tag, pf.os, pf.arch), keys(s.archives))
		}
	}
	for file, a := range s.archives {
		t.Run(file, func(t *testing.T) {
			got := fileSHA256(t, filepath.Join(repoRoot, filepath.FromSlash(a.Path)))
			if want := s.checksums[file]; got != want {
				t.Errorf("checksums.txt says %s, the file's sha256 is %s", want, got)
			}
		})
	}
}

// TestKrewTemplateAgainstSnapshot: .krew.yaml, rendered as the release
// bot will for this snapshot's tag, installs from the archives it built.
func TestKrewTemplateAgainstSnapshot(t *testing.T) {
	s := loadSnapshot(t)
	text, err := os.ReadFile(filepath.Join(repoRoot, ".krew.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := renderKrewTemplate(text, s.tag, s.sha)
	if err != nil {
		t.Fatal(err)
	}
	p := parsePlugin(t, ".krew.yaml", out)
	checkManifest(t, ".krew.yaml", p, s.tag)
	checkAgainstArchives(t, ".krew.yaml", p, s)
}

// TestPluginManifestAgainstSnapshot: plugins/why.yaml is the rendering for
// this snapshot (-update rewrites it), so that
// `kubectl krew install --manifest=plugins/why.yaml --archive=dist/...`
// accepts the archive just built.
func TestPluginManifestAgainstSnapshot(t *testing.T) {
	s := loadSnapshot(t)
	file := filepath.Join(repoRoot, "plugins", pluginName+".yaml")
	want, err := renderPluginManifest(s.tag, s.sha)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != string(want) {
		t.Errorf("plugins/why.yaml is not the rendering for the snapshot %s in dist/: run hack/release-check.sh (or go test -tags release ./test/release/ -update)", s.tag)
	}
	p := parsePlugin(t, "plugins/why.yaml", have)
	checkManifest(t, "plugins/why.yaml", p, s.tag)
	checkAgainstArchives(t, "plugins/why.yaml", p, s)
}
