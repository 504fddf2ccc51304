package cmd

import (
	"flag"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/klog/v2"
)

// addKlogFlags exposes -v like kubectl: -v=4 traces requests and prints
// the request statistics.
func addKlogFlags(cmd *cobra.Command) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	if v := fs.Lookup("v"); v != nil {
		cmd.PersistentFlags().AddGoFlag(v)
	}
}

// quietKlog silences client-go's own log lines unless -v is given. Without
// it, a dropped connection prints "Unexpected error when reading response
// body" on stderr although the page is retried and the answer is whole; a
// failure that matters comes back as the one "error:" line instead.
func quietKlog() {
	if !klog.V(1).Enabled() {
		klog.SetLogger(logr.Discard())
	}
}
