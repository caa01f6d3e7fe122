package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/storage"
)

// dest is one destination's upload of one data object.
type dest struct {
	cat       *catalog.Catalog
	w         storage.Writer
	key       string
	err       error
	committed bool
}

func (d *dest) fail(err error) {
	if d.err == nil {
		d.err = err
		d.w.Abort()
	}
}

// fanout writes the stored bytes to every destination still alive, hashing and counting them once.
// A destination that fails is aborted and dropped; the others go on.
type fanout struct {
	dests []*dest
	h     hash.Hash
	n     int64
}

func newFanout(dests []*dest) *fanout { return &fanout{dests: dests, h: sha256.New()} }

func (f *fanout) Write(p []byte) (int, error) {
	f.h.Write(p)
	f.n += int64(len(p))
	alive := 0
	for _, d := range f.dests {
		if d.err != nil {
			continue
		}
		if _, err := d.w.Write(p); err != nil {
			d.fail(fmt.Errorf("upload %s to %s: %w", d.key, d.cat.Store, err))
			continue
		}
		alive++
	}
	if alive == 0 {
		return 0, f.errs()
	}
	return len(p), nil
}

func (f *fanout) sum() string { return hex.EncodeToString(f.h.Sum(nil)) }

// abort drops every destination still alive.
func (f *fanout) abort(cause error) {
	for _, d := range f.dests {
		d.fail(cause)
	}
}

// commit finishes every live upload in parallel.
func (f *fanout) commit() {
	var wg sync.WaitGroup
	for _, d := range f.dests {
		if d.err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.w.Commit(); err != nil {
				d.err = err
				return
			}
			d.committed = true
		}()
	}
	wg.Wait()
}

// errs joins the errors of the failed destinations.
func (f *fanout) errs() error {
	var errs []error
	for _, d := range f.dests {
		if d.err != nil {
			errs = append(errs, d.err)
		}
	}
	return errors.Join(errs...)
}
