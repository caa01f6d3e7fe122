#!/usr/bin/env bash
# Installs the external tools the tests need into <repo>/.tools/bin.
# Idempotent: a tool already installed at the wanted version is skipped.
# Each tool records its version in <repo>/.tools/stamps/<tool>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"
APT_UPDATED=0

log() { printf 'install-tools: %s\n' "$*"; }
die() { printf 'install-tools: error: %s\n' "$*" >&2; exit 1; }

# stamp_ok TOOL VERSION: true when TOOL is in BIN and its stamp says VERSION.
stamp_ok() {
	[[ -x "$BIN/$1" && -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]
}

write_stamp() { printf '%s\n' "$2" >"$STAMPS/$1"; }

# module_version MODULE: the version of MODULE in go.mod.
module_version() {
	local v
	v="$(cd "$ROOT" && go list -m -f '{{.Version}}' "$1")" || die "read the version of $1 from go.mod"
	[[ -n "$v" ]] || die "$1 has no version in go.mod"
	printf '%s' "$v"
}

# verify_version TOOL VERSION ARGS...: runs TOOL ARGS and checks that it prints VERSION (without the v).
verify_version() {
	local tool="$1" want="${2#v}" out
	shift 2
	out="$("$BIN/$tool" "$@" 2>&1)" || die "$tool $* failed: $out"
	grep -qF "$want" <<<"$out" || die "$tool $* printed no $want: $out"
	log "$tool: $(head -n1 <<<"$out")"
}

# build_in_module TOOL PACKAGE VERSION: builds PACKAGE from our own module graph.
build_in_module() {
	local tool="$1" pkg="$2" version="$3"
	log "$tool: building $pkg@$version from go.mod"
	(cd "$ROOT" && go build -o "$BIN/$tool.tmp" "$pkg") || die "build $pkg"
	mv "$BIN/$tool.tmp" "$BIN/$tool"
}

# build_in_scratch TOOL MODULE VERSION PINS...: builds MODULE@VERSION in a throwaway
# module, for tools outside our module graph whose go.mod has replace directives
# (which rule out go install MODULE@VERSION). PINS are extra module@version requirements.
build_in_scratch() {
	local tool="$1" module="$2" version="$3" scratch
	shift 3
	scratch="$(mktemp -d)"
	log "$tool: building $module@$version in $scratch"
	if ! (
		cd "$scratch"
		export GOWORK=off
		go mod init tools.local/"$tool" &&
			go get "$module@$version" "$@" &&
			go build -o "$BIN/$tool.tmp" "$module"
	) >"$scratch.log" 2>&1; then
		cat "$scratch.log" >&2
		rm -rf "$scratch" "$scratch.log"
		die "build $module@$version"
	fi
	rm -f "$scratch.log"
	rm -rf "$scratch"
	mv "$BIN/$tool.tmp" "$BIN/$tool"
}

# install_etcd installs etcd, etcdutl and etcdctl at the etcd version in go.mod.
install_etcd() {
	local v
	v="$(module_version go.etcd.io/etcd/server/v3)"
	if stamp_ok etcd "$v"; then
		log "etcd: $v already installed"
	else
		build_in_module etcd go.etcd.io/etcd/server/v3 "$v"
		verify_version etcd "$v" --version
		write_stamp etcd "$v"
	fi
	if stamp_ok etcdutl "$v"; then
		log "etcdutl: $v already installed"
	else
		# Scratch, not our module: etcdutl's table printer needs modules our go.sum
		# (kept tidy) does not list.
		build_in_scratch etcdutl go.etcd.io/etcd/etcdutl/v3 "$v" \
			"go.etcd.io/etcd/api/v3@$v" "go.etcd.io/etcd/client/v3@$v" \
			"go.etcd.io/etcd/client/pkg/v3@$v" "go.etcd.io/etcd/pkg/v3@$v" \
			"go.etcd.io/etcd/server/v3@$v"
		verify_version etcdutl "$v" version
		write_stamp etcdutl "$v"
	fi
	if stamp_ok etcdctl "$v"; then
		log "etcdctl: $v already installed"
	else
		build_in_scratch etcdctl go.etcd.io/etcd/etcdctl/v3 "$v" \
			"go.etcd.io/etcd/api/v3@$v" "go.etcd.io/etcd/client/v3@$v" \
			"go.etcd.io/etcd/client/pkg/v3@$v" "go.etcd.io/etcd/pkg/v3@$v"
		verify_version etcdctl "$v" version
		write_stamp etcdctl "$v"
	fi
}

# apt_install COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing.
apt_install() {
	local cmd="$1" pkg="$2" sudo=""
	if command -v "$cmd" >/dev/null 2>&1; then
		log "$cmd: present ($(command -v "$cmd"))"
		return
	fi
	command -v apt-get >/dev/null 2>&1 || die "$cmd is missing and apt-get is not available: install $pkg"
	if [[ "$(id -u)" != 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "$cmd is missing: install $pkg as root"
		sudo="sudo"
	fi
	if [[ "$APT_UPDATED" == 0 ]]; then
		log "apt-get update"
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update"
		APT_UPDATED=1
	fi
	log "$cmd: installing $pkg"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" \
		|| die "apt-get install $pkg"
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd still missing after installing $pkg"
}

# install_apt installs the Debian packages the tests need.
install_apt() {
	apt_install gpg gnupg
	apt_install zstd zstd
}

# Storage servers for the storage tests, pinned.
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
FAKE_GCS_VERSION="v1.56.1"
AZURITE_VERSION="3.35.0" # the last release that runs on the Node.js 20 of Debian

# go_install TOOL MODULE VERSION: go install MODULE@VERSION into BIN, outside our module.
go_install() {
	local tool="$1" module="$2" version="$3" gobin
	gobin="$(mktemp -d)"
	log "$tool: building $module@$version (cached by its stamp afterwards)"
	(cd "$gobin" && GOWORK=off GOFLAGS=-mod=mod GOBIN="$gobin" go install "$module@$version") \
		|| { rm -rf "$gobin"; die "go install $module@$version"; }
	mv "$gobin/$(basename "$module")" "$BIN/$tool"
	rm -rf "$gobin"
}

# install_minio builds the MinIO server (S3) at MINIO_VERSION.
install_minio() {
	if stamp_ok minio "$MINIO_VERSION"; then
		log "minio: $MINIO_VERSION already installed"
		return
	fi
	go_install minio github.com/minio/minio "$MINIO_VERSION"
	"$BIN/minio" --version >/dev/null 2>&1 || die "minio --version failed"
	write_stamp minio "$MINIO_VERSION"
}

# install_fake_gcs builds fake-gcs-server (GCS) at FAKE_GCS_VERSION.
install_fake_gcs() {
	if stamp_ok fake-gcs-server "$FAKE_GCS_VERSION"; then
		log "fake-gcs-server: $FAKE_GCS_VERSION already installed"
		return
	fi
	go_install fake-gcs-server github.com/fsouza/fake-gcs-server "$FAKE_GCS_VERSION"
	"$BIN/fake-gcs-server" -help >/dev/null 2>&1 || [[ $? == 2 ]] || die "fake-gcs-server -help failed"
	write_stamp fake-gcs-server "$FAKE_GCS_VERSION"
}

# install_azurite installs Azurite (Azure Blob) from npm into .tools/azurite, with the
# wrapper .tools/bin/azurite-blob.
install_azurite() {
	if stamp_ok azurite-blob "$AZURITE_VERSION"; then
		log "azurite-blob: $AZURITE_VERSION already installed"
		return
	fi
	apt_install npm npm
	log "azurite: npm install azurite@$AZURITE_VERSION"
	npm install --prefix "$TOOLS/azurite" --no-audit --no-fund --omit=dev --loglevel=error \
		"azurite@$AZURITE_VERSION" || die "npm install azurite@$AZURITE_VERSION"
	cat >"$BIN/azurite-blob" <<WRAPPER
#!/bin/sh
exec node "\$(dirname "\$0")/../azurite/node_modules/azurite/dist/src/blob/main.js" "\$@"
WRAPPER
	chmod 0755 "$BIN/azurite-blob"
	verify_version azurite-blob "$AZURITE_VERSION" --version
	write_stamp azurite-blob "$AZURITE_VERSION"
}

# promtool checks and unit-tests configs/prometheus-rules.yaml; module v0.316.0 is Prometheus 3.16.
PROMTOOL_VERSION="v0.316.0"

# install_deploy_tools installs what the deployment tests (internal/deploytest) run:
# systemd-analyze for the units, and promtool for the alert rules.
install_deploy_tools() {
	apt_install systemd-analyze systemd
	if stamp_ok promtool "$PROMTOOL_VERSION"; then
		log "promtool: $PROMTOOL_VERSION already installed"
		return
	fi
	go_install promtool github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION"
	"$BIN/promtool" --version 2>&1 | grep -q '^promtool' || die "promtool --version failed"
	write_stamp promtool "$PROMTOOL_VERSION"
}

# Kubernetes for the API server tests (internal/kubetest), pinned. k8s.io/kubernetes replaces its
# staging modules with local paths, so go install refuses it: a wrapper module requires it and pins
# every staging module to the matching v0.x release.
KUBERNETES_VERSION="v1.37.2"

# install_kubernetes builds kube-apiserver and kubectl at KUBERNETES_VERSION (a few minutes).
install_kubernetes() {
	local v="$KUBERNETES_VERSION" staging="v0.${KUBERNETES_VERSION#v1.}" scratch gomod m ldflags minor
	minor="${v#v1.}"
	minor="${minor%%.*}"
	# What the release build stamps in, so that --version and the API server's /version say it.
	ldflags="-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1"
	ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$v"
	ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
	if stamp_ok kube-apiserver "$v" && stamp_ok kubectl "$v"; then
		log "kube-apiserver, kubectl: $v already installed"
		return
	fi
	scratch="$(mktemp -d)"
	log "kube-apiserver, kubectl: building k8s.io/kubernetes@$v in $scratch (cached by their stamps afterwards)"
	if ! (
		cd "$scratch"
		export GOWORK=off GOFLAGS=-mod=mod
		go mod init tools.local/kubernetes &&
			gomod="$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')" &&
			[[ -n "$gomod" ]] &&
			for m in $(sed -n 's|^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' "$gomod"); do
				go mod edit -replace "$m=$m@$staging" || exit 1
			done &&
			go get "k8s.io/kubernetes/cmd/kube-apiserver@$v" "k8s.io/kubernetes/cmd/kubectl@$v" &&
			go build -ldflags "$ldflags" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver &&
			go build -ldflags "$ldflags" -o "$BIN/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
	) >"$scratch.log" 2>&1; then
		cat "$scratch.log" >&2
		rm -rf "$scratch" "$scratch.log"
		die "build k8s.io/kubernetes@$v"
	fi
	rm -rf "$scratch" "$scratch.log"
	mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
	mv "$BIN/kubectl.tmp" "$BIN/kubectl"
	verify_version kube-apiserver "$v" --version
	verify_version kubectl "$v" version --client
	write_stamp kube-apiserver "$v"
	write_stamp kubectl "$v"
}

main() {
	command -v go >/dev/null 2>&1 || die "go is not on PATH"
	mkdir -p "$BIN" "$STAMPS"
	install_apt
	install_etcd
	install_minio
	install_fake_gcs
	install_azurite
	install_deploy_tools
	install_kubernetes
	log "done: tools in $BIN"
}

main "$@"
