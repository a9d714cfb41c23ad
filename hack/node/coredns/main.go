// CoreDNS with only the plugins a cluster's DNS needs. Upstream's main imports every plugin
// (core/plugin/zplugin.go), and with them every cloud provider's SDK; a plugin registers itself
// when imported, and dnsserver.Directives still fixes the order they run in, so a subset works.
// hack/build-node.sh builds this file in a throwaway module pinned to $COREDNS_VERSION.
package main

import (
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics" // the "prometheus" directive
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/whoami" // the default Corefile's, when none is given

	"github.com/coredns/coredns/coremain"
)

func main() {
	coremain.Run()
}
