package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// rottenSource serves a member's snapshot whose bbolt root page was damaged on the member's disk: the
// stream and its sha256 trailer are consistent, the database is not.
type rottenSource struct{ *cluster.Client }

func (s rottenSource) Snapshot(ctx context.Context, m cluster.Member) (*cluster.Snapshot, error) {
	snap, err := s.Client.Snapshot(ctx, m)
	if err != nil {
		return nil, err
	}
	db, err := io.ReadAll(snap.TrailerReader)
	if err != nil {
		return nil, err
	}
	db = db[:len(db)-sha256.Size]
	pageSize := int(binary.LittleEndian.Uint32(db[16+8:]))
	root := int(binary.LittleEndian.Uint64(db[16+16:]))
	binary.LittleEndian.PutUint16(db[root*pageSize+8:], 0x10) // the root page now claims to be a freelist
	sum := sha256.Sum256(db)
	snap.TrailerReader = cluster.NewTrailerReader(bytes.NewReader(append(db, sum[:]...)))
	return snap, nil
}

func TestCorruptDatabaseFailsBackup(t *testing.T) {
	f := newFixture(t, 500)
	_, err := Run(context.Background(), rottenSource{f.client}, f.opts)
	if err == nil || !strings.Contains(err.Error(), "snapshot status: page") ||
		!strings.Contains(err.Error(), "snapshot from "+f.member.Endpoint) {
		t.Fatalf("err = %v, want snapshot status to refuse the page, naming the endpoint", err)
	}
	if errors.Is(err, cluster.ErrTrailer) {
		t.Fatalf("err = %v: the trailer was consistent", err)
	}
	f.assertClean(t)
}
