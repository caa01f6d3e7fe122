package journal

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// faultStore is a real store made slow or failing: Delay before each NewWriter and each Commit,
// Fail deciding which commits fail, ListErr failing every List.
type faultStore struct {
	storage.Store
	Delay   time.Duration
	Fail    func(key string) error // nil, or nil returned: the commit goes through
	ListErr error
	mu      sync.Mutex
	commits map[string]int // commit attempts by key
}

var _ storage.Store = (*faultStore)(nil)

func (s *faultStore) NewWriter(ctx context.Context, key string, opts ...storage.WriteOptions) (storage.Writer, error) {
	if err := sleepCtx(ctx, s.Delay); err != nil {
		return nil, err
	}
	w, err := s.Store.NewWriter(ctx, key, opts...)
	if err != nil {
		return nil, err
	}
	return &faultWriter{Writer: w, s: s, ctx: ctx, key: key}, nil
}

func (s *faultStore) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	if s.ListErr != nil {
		return nil, s.ListErr
	}
	return s.Store.List(ctx, prefix)
}

// attempts is how many times key was committed or tried.
func (s *faultStore) attempts(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits[key]
}

// dataAttempts counts the commits tried of segment name's data, whatever its write suffix.
func (s *faultStore) dataAttempts(l Layout, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for key, c := range s.commits {
		if strings.HasPrefix(key, l.Prefix()+name+".") && key != l.ManifestKey(name) {
			n += c
		}
	}
	return n
}

type faultWriter struct {
	storage.Writer
	s   *faultStore
	ctx context.Context
	key string
}

func (w *faultWriter) Commit() error {
	w.s.mu.Lock()
	if w.s.commits == nil {
		w.s.commits = map[string]int{}
	}
	w.s.commits[w.key]++
	w.s.mu.Unlock()
	if err := sleepCtx(w.ctx, w.s.Delay); err != nil {
		w.Abort()
		return err
	}
	if w.s.Fail != nil {
		if err := w.s.Fail(w.key); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Writer.Commit()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
