# etcd-backupd container image: a static binary on distroless (CA certificates and
# tzdata included; the binary embeds tzdata too), running as uid/gid 65532.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t etcd-backupd .
# Without Docker: make image (an OCI tarball of the same layout, see README).
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/etcd-backupd/etcd-backupd/internal/buildinfo.Version=${VERSION}" \
      -o /out/etcd-backupd ./cmd/etcd-backupd

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="etcd-backupd" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/etcd-backupd/etcd-backupd"
COPY --from=build /out/etcd-backupd /usr/local/bin/etcd-backupd
USER 65532:65532
EXPOSE 9479/tcp
ENTRYPOINT ["/usr/local/bin/etcd-backupd"]
CMD ["run"]
