// Package imagebuild writes the etcd-backupd container image without a container engine: one
// layer holding the static binary, a CA bundle, passwd and group entries for the nonroot user
// and the spool directory, on an empty base. The image uses OCI media types and is written as
// an OCI image layout in a tar, with a docker-archive manifest.json beside it, as docker save
// writes since Docker 25: docker load, podman load, ctr images import and skopeo read it.
//
// The binary must be static (CGO_ENABLED=0); it embeds the time zone database (time/tzdata),
// so the image needs no zoneinfo.
package imagebuild
