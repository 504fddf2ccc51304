// Command images builds the real node's test images from the static
// testapp binary (hack/realnode/testapp) and pushes them to the loopback
// registries of hack/cluster.sh. No image, not even the sandbox's pause,
// comes from outside.
//
//	images push -binary testapp -open 127.0.0.1:P -auth 127.0.0.1:Q -user U -password W
//	images htpasswd USER PASSWORD      prints an htpasswd line (bcrypt)
//
// Pushed: OPEN/why/pause:v1 (entrypoint /pause), OPEN/why/testapp:v1 and
// AUTH/why/private:v1 (entrypoint /testapp).
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) < 2 {
		fatalf("usage: images push|htpasswd ...")
	}
	switch os.Args[1] {
	case "htpasswd":
		if len(os.Args) != 4 {
			fatalf("usage: images htpasswd USER PASSWORD")
		}
		h, err := bcrypt.GenerateFromPassword([]byte(os.Args[3]), bcrypt.DefaultCost)
		if err != nil {
			fatalf("bcrypt: %v", err)
		}
		fmt.Printf("%s:%s\n", os.Args[2], h)
	case "push":
		push(os.Args[2:])
	default:
		fatalf("unknown command %q: want push or htpasswd", os.Args[1])
	}
}

func push(args []string) {
	fs := flag.NewFlagSet("push", flag.ExitOnError)
	bin := fs.String("binary", "", "the static testapp binary")
	open := fs.String("open", "", "host:port of the open registry")
	auth := fs.String("auth", "", "host:port of the htpasswd registry")
	user := fs.String("user", "", "user of the htpasswd registry")
	pass := fs.String("password", "", "password of the htpasswd registry")
	_ = fs.Parse(args)
	data, err := os.ReadFile(*bin)
	if err != nil {
		fatalf("read the testapp binary: %v", err)
	}
	pause := image(data, "/pause")
	app := image(data, "/testapp")
	basic := authn.FromConfig(authn.AuthConfig{Username: *user, Password: *pass})
	for _, p := range []struct {
		ref  string
		img  v1.Image
		auth authn.Authenticator
	}{
		{*open + "/why/pause:v1", pause, authn.Anonymous},
		{*open + "/why/testapp:v1", app, authn.Anonymous},
		{*auth + "/why/private:v1", app, basic},
	} {
		// Insecure: plain HTTP, which is all a loopback registry needs.
		ref, err := name.ParseReference(p.ref, name.Insecure)
		if err != nil {
			fatalf("image name %s: %v", p.ref, err)
		}
		if err := remote.Write(ref, p.img, remote.WithAuth(p.auth)); err != nil {
			fatalf("push %s: %v", p.ref, err)
		}
		d, _ := p.img.Digest()
		fmt.Printf("pushed %s@%s\n", p.ref, d)
	}
}

// image is one layer holding the binary at path, run as the entrypoint.
func image(binary []byte, path string) v1.Image {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: path[1:], Mode: 0o755, Size: int64(len(binary)), Typeflag: tar.TypeReg}); err != nil {
		fatalf("tar: %v", err)
	}
	if _, err := tw.Write(binary); err != nil {
		fatalf("tar: %v", err)
	}
	if err := tw.Close(); err != nil {
		fatalf("tar: %v", err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		fatalf("layer: %v", err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		fatalf("image: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		fatalf("config: %v", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Entrypoint = []string{path}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		fatalf("config: %v", err)
	}
	return img
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "images: "+format+"\n", a...)
	os.Exit(1)
}
