// Package kit collects, packs, checks and extracts a restore kit: the files that must be kept beside an
// etcd snapshot to bring a kubeadm control plane back. They are the etcd PKI, the static pod manifests
// and the kube-apiserver's EncryptionConfiguration, without which the restored Secrets cannot be read.
//
// A kit is one deterministic tar archive whose first member, kit.json, lists every file with its mode,
// size and sha256; an unchanged kit packs to the same bytes. The kit holds private keys: the caller
// stores it only compressed and encrypted, never as the plain bytes this package produces.
//
// Collect never follows a symbolic link and Extract never writes through one, never overwrites a
// file and never leaves a private key readable by group or others.
package kit
