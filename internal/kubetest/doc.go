// Package kubetest runs a real kube-apiserver (built by scripts/install-tools.sh) on an etcd
// cluster of the tests, and kubectl against it, so that a restore is proven by the API server
// Kubernetes runs rather than by keys that look like its own.
package kubetest
