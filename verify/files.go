package verify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/workdir"
	"go.uber.org/zap"
)

const scratchPrefix = "drill-"

// scratch is one deep verification's private directory under the scratch root (verify.scratch_dir,
// claimed as workdir.Open does). The root's lock keeps two verifications apart, and leftovers of a
// crashed one (plaintext) are removed first.
type scratch struct {
	dir  string
	root *workdir.Dir
}

func openScratch(root string, lg *zap.Logger) (*scratch, error) {
	if root == "" {
		return nil, errors.New("no scratch dir (verify.scratch_dir)")
	}
	wd, err := workdir.Open(root)
	if errors.Is(err, workdir.ErrBusy) {
		return nil, fmt.Errorf("scratch dir %s: another verification is running there", root)
	}
	if err != nil {
		return nil, fmt.Errorf("verify.scratch_dir: %w", err)
	}
	s := &scratch{root: wd}
	if err := removeLeftovers(root, lg); err != nil {
		s.Close()
		return nil, err
	}
	if s.dir, err = os.MkdirTemp(root, scratchPrefix); err != nil {
		s.Close()
		return nil, fmt.Errorf("scratch dir: %w", err)
	}
	return s, nil
}

func removeLeftovers(root string, lg *zap.Logger) error {
	ents, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("scratch dir: %w", err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), scratchPrefix) {
			continue
		}
		p := filepath.Join(root, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("scratch dir: remove leftover: %w", err)
		}
		lg.Warn("removed a leftover of an interrupted verification", zap.String("path", p))
	}
	return nil
}

// Close removes the directory and releases the lock.
func (s *scratch) Close() error {
	var err error
	if s.dir != "" {
		err = os.RemoveAll(s.dir)
	}
	if cerr := s.root.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs a directory, so that a rename in it is durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

func dirOf(path string) string { return filepath.Dir(path) }
