// Command etcd is etcd's own entry point (go.etcd.io/etcd/server/v3's main
// package), built from the Go module proxy. `go install` refuses that
// module because its go.mod has replace directives, so this module requires
// it and pins the sibling etcd modules instead.
//
// hack/cluster.sh builds it when WHY_ETCD=module: the benchmark uses it to
// show what a current etcd changes (Debian's 3.4 cannot serve the watch
// progress requests that let the apiserver answer consistent lists from its
// cache). Tests use Debian's etcd, as the foundation issue asks.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
