// Package storage stores backup objects at a destination URL.
//
// A Store is a small interface over gocloud.dev/blob for s3://, gs:// and
// azblob://, and a native implementation for file://. For every scheme the
// URL path is a key prefix: s3://bucket/a/b keeps key k at a/b/k in bucket,
// and file:///var/backups/etcd keeps it at /var/backups/etcd/k.
//
// Writers are atomic: nothing is visible under a key until Commit returns nil,
// and Abort leaves nothing behind.
package storage
