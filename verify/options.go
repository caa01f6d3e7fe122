package verify

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/crypto"
)

// Options are what every verification needs.
type Options struct {
	Catalog     *catalog.Catalog // where the backup is; drill records are written there too
	Identity    *crypto.Identity // nil when the backup is not encrypted
	ScratchDir  string           // Deep restores under it (0700)
	ToolVersion string
	Logger      *zap.Logger
	// Progress, when set, returns a writer that is given every stored byte read; it is
	// closed when the transfer ends.
	Progress func(total int64) io.WriteCloser
	Now      func() time.Time
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

var (
	// ErrMismatch is wrapped by every *MismatchError.
	ErrMismatch = errors.New("backup does not match its manifest")
	// ErrTruncated reports a stored object shorter than the manifest says.
	ErrTruncated = errors.New("truncated backup")
)

// MismatchError reports one figure that differs from the manifest.
type MismatchError struct {
	What     string // e.g. "stored sha256"
	Manifest string
	Got      string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s mismatch: manifest %s, got %s", e.What, e.Manifest, e.Got)
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

func mismatch[T comparable](what string, manifest, got T) error {
	if manifest == got {
		return nil
	}
	return &MismatchError{What: what, Manifest: fmt.Sprint(manifest), Got: fmt.Sprint(got)}
}

// host names this machine in drill records.
func host() string {
	h, _ := os.Hostname()
	return h
}
