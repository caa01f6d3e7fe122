# etcd-backupd
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PKG      := github.com/etcd-backupd/etcd-backupd
LDFLAGS  := -s -w -X $(PKG)/internal/buildinfo.Version=$(VERSION)
BIN      := bin/etcd-backupd
TOOLS    := $(CURDIR)/.tools/bin
IMAGE    ?= ghcr.io/etcd-backupd/etcd-backupd
IMAGE_TAR ?= bin/etcd-backupd-image.tar
BINDIR   ?= /usr/local/bin
UNITDIR  ?= /lib/systemd/system
UNITS    := etcd-backupd.service etcd-backupd@.service etcd-backupd-once.service etcd-backupd-once.timer \
            etcd-backupd-prune.service etcd-backupd-prune.timer

.PHONY: all build tools test test-short demo bench lint clean image install

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/etcd-backupd

# An OCI image tarball of the static binary, written without Docker (internal/imagebuild).
image: build
	$(GO) run ./internal/imagebuild/cmd/imagebuild -binary $(BIN) -version $(VERSION) -tag $(IMAGE):$(VERSION) -o $(IMAGE_TAR)

# The binary, the systemd units (run from $(BINDIR)) and the example config. DESTDIR stages a package.
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/etcd-backupd
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
		sed 's#/usr/local/bin/etcd-backupd#$(BINDIR)/etcd-backupd#' systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -d -m 0750 $(DESTDIR)/etc/etcd-backupd
	install -m 0640 configs/etcd-backupd.yaml $(DESTDIR)/etc/etcd-backupd/config.yaml.example

tools:
	scripts/install-tools.sh

# The whole suite, against real etcd, gpg and storage servers installed by `make tools`.
test: tools
	PATH="$(TOOLS):$$PATH" $(GO) test -p 2 -timeout 45m ./...

demo: build tools
	PATH="$(TOOLS):$$PATH" scripts/demo.sh

bench: build tools
	PATH="$(TOOLS):$$PATH" scripts/bench.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed; skipped"; fi

clean:
	rm -rf bin
