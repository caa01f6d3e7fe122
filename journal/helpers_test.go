package journal

import (
	"context"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// fileJournal is a journal in a fresh directory.
func fileJournal(t *testing.T) *Journal {
	t.Helper()
	s, err := storage.Open(context.Background(), "file://"+t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return New(s, "test")
}

// keys returns the recipients and identity of a real gpg key.
func keys(t *testing.T) (*crypto.Recipients, *crypto.Identity) {
	t.Helper()
	k := gpgtest.NewKey(t, "journal", "future-default", "")
	rec, err := crypto.LoadRecipients([]string{k.PublicFile})
	if err != nil {
		t.Fatal(err)
	}
	id, err := crypto.LoadIdentity(k.SecretFile, "")
	if err != nil {
		t.Fatal(err)
	}
	return rec, id
}

// readAll reads every committed segment of j in order and returns the revisions.
func readAll(t *testing.T, j *Journal, id *crypto.Identity) []*Revision {
	t.Helper()
	ctx := context.Background()
	l, err := j.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var revs []*Revision
	for _, s := range l.Segments {
		m, err := j.Manifest(ctx, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Read(ctx, m, id, func(r *Revision) error { revs = append(revs, r); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return revs
}

var zstdEncoding = func(rec *crypto.Recipients) Encoding {
	return Encoding{Compression: catalog.CompressionZstd, Recipients: rec}
}
