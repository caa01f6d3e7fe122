# etcd-backupd
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PKG      := github.com/etcd-backupd/etcd-backupd
LDFLAGS  := -s -w -X $(PKG)/internal/buildinfo.Version=$(VERSION)
BIN      := bin/etcd-backupd
TOOLS    := $(CURDIR)/.tools/bin

.PHONY: all build tools test test-short demo bench lint clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/etcd-backupd

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
