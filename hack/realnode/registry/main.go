// Command registry is distribution's registry (the Go module
// github.com/distribution/distribution/v3) with only what the real node's
// tests use: filesystem storage and htpasswd auth. Upstream's cmd/registry
// also links the S3, GCS and Azure drivers, which would triple the build.
//
// hack/cluster.sh runs two on loopback: one open, one with htpasswd auth.
// Set OTEL_TRACES_EXPORTER=none: v3 otherwise exports traces over OTLP.
package main

import (
	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() {
	// Execute prints its own errors and exits non-zero on them.
	_ = registry.RootCmd.Execute()
}
