// Package storagetest starts real storage servers for tests: MinIO (S3),
// fake-gcs-server (GCS) and Azurite (Azure Blob), each on a free loopback
// port, with random credentials and its data in a temp dir. Start waits
// until the server answers; t.Cleanup stops it. The binaries come from
// scripts/install-tools.sh; under CI=true a missing one fails the test.
package storagetest
