// Package etcdtest runs real etcd for tests: embedded members
// (go.etcd.io/etcd/server/v3/embed) for fast tests, and clusters of real etcd
// processes (from <repo>/.tools/bin, installed by scripts/install-tools.sh) for
// end-to-end tests. It also makes throwaway TLS material and Kubernetes-like
// data.
package etcdtest
