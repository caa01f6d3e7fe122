package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ListPending returns the temp files of unfinished writes under prefix, each under the key it
// would have committed. ModTime is the temp file's last write.
func (s *fileStore) ListPending(ctx context.Context, prefix string) ([]Object, error) {
	out, err := s.walk(ctx, prefix, true)
	if err != nil {
		return nil, fmt.Errorf("list unfinished writes %q in %s: %w", prefix, s.url, err)
	}
	return out, nil
}

// AbortPending removes the temp files of key last written before before.
func (s *fileStore) AbortPending(ctx context.Context, key string, before time.Time) error {
	p, err := s.path(key)
	if err != nil {
		return fmt.Errorf("abort unfinished write in %s: %w", s.url, err)
	}
	if err := s.noLinkAbove(p); err != nil {
		return fmt.Errorf("abort unfinished write %s in %s: %w", key, s.url, err)
	}
	ents, err := os.ReadDir(filepath.Dir(p))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("abort unfinished write %s in %s: %w", key, s.url, err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), filepath.Base(p)+tmpMarker) {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.ModTime().Before(before)) {
			continue
		}
		if err != nil {
			return fmt.Errorf("abort unfinished write %s in %s: %w", key, s.url, err)
		}
		tmp := filepath.Join(filepath.Dir(p), e.Name())
		if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("abort unfinished write %s in %s: %w", key, s.url, err)
		}
	}
	return nil
}
