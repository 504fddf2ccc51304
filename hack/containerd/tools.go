//go:build tools

// Package tools records the commands hack/cluster.sh builds for the real
// node, so that `go mod tidy` keeps them in go.sum.
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
