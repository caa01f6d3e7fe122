package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/etcd-backupd/etcd-backupd/storage"
	"go.uber.org/zap"
)

// Set is every destination of one cluster, in config order. It is the one place that decides what
// happens when some destinations answer and others do not:
//
//   - Reading one backup (Resolve): the backup is taken from a destination that has it; the
//     destinations that failed are logged as warnings, and an error is returned only when no
//     destination has the backup, joining every destination's answer.
//   - Working at every destination (Each): the work runs at each one whatever the others did; the
//     errors are joined, each naming its destination, so one destination down never hides the
//     others' results.
type Set struct {
	cats []*Catalog
	urls []string // as configured, for Pick; may hold secrets, so never printed
	lg   *zap.Logger
}

// NewSet returns the set of cats; urls are the destination URLs as configured (for Pick), in the
// same order, or nil.
func NewSet(cats []*Catalog, urls []string, lg *zap.Logger) *Set {
	if lg == nil {
		lg = zap.NewNop()
	}
	return &Set{cats: cats, urls: urls, lg: lg}
}

// All returns the catalogs in config order.
func (s *Set) All() []*Catalog { return s.cats }

// Len is the number of destinations.
func (s *Set) Len() int { return len(s.cats) }

// Pick returns the set of the one destination that from names: its URL as configured or as
// listed, or its index from 0. "" picks every destination.
func (s *Set) Pick(from string) (*Set, error) {
	if from == "" {
		return s, nil
	}
	for i, c := range s.cats {
		if from == c.Store.String() || from == strconv.Itoa(i) || (i < len(s.urls) && from == s.urls[i]) {
			var urls []string
			if i < len(s.urls) {
				urls = s.urls[i : i+1]
			}
			return &Set{cats: []*Catalog{c}, urls: urls, lg: s.lg}, nil
		}
	}
	return nil, fmt.Errorf("--from %q: no such destination (give its URL or its index from 0)", storage.Redact(from))
}

// Resolve finds the backup ref names: an ID is taken from the first destination that holds it;
// "latest" (or "") is the newest committed backup at any destination.
func (s *Set) Resolve(ctx context.Context, ref string) (*Catalog, *Manifest, error) {
	var (
		bestCat *Catalog
		best    *Manifest
		errs    []error
	)
	for _, c := range s.cats {
		m, err := c.Resolve(ctx, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if best == nil || m.ID > best.ID {
			bestCat, best = c, m
		}
		if ref != "" && ref != "latest" {
			break
		}
	}
	if best == nil {
		if len(errs) == 0 {
			return nil, nil, fmt.Errorf("backup %s: no destination: %w", ref, ErrNoBackup)
		}
		return nil, nil, errors.Join(errs...)
	}
	for _, err := range errs {
		if !errors.Is(err, ErrNoBackup) {
			s.lg.Warn("a destination could not be read", zap.Error(err))
		}
	}
	return bestCat, best, nil
}

// Newest returns the newest committed backup at any destination, or nil when none has one. The
// error joins the destinations that could not be read, even when another one answered.
func (s *Set) Newest(ctx context.Context) (*Manifest, error) {
	var best *Manifest
	err := s.Each(ctx, func(c *Catalog) error {
		m, err := c.Resolve(ctx, "latest")
		if errors.Is(err, ErrNoBackup) {
			return nil
		}
		if err == nil && (best == nil || m.ID > best.ID) {
			best = m
		}
		return err
	})
	return best, err
}

// Each runs f at every destination in turn, whatever the others returned, and joins the errors.
// It stops early only when ctx is done.
func (s *Set) Each(ctx context.Context, f func(c *Catalog) error) error {
	var errs []error
	for _, c := range s.cats {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		errs = append(errs, f(c))
	}
	return errors.Join(errs...)
}

// Close closes every store.
func (s *Set) Close() error {
	var errs []error
	for _, c := range s.cats {
		errs = append(errs, c.Store.Close())
	}
	return errors.Join(errs...)
}
