package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/storage"
)

// sizeUnits are the suffixes part_size accepts, longest first.
var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1},
}

// ParseSize reads a size in bytes: a plain number or one with a unit (KiB,
// MiB, GiB, KB, MB, GB, B), such as 16MiB.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	factor := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/factor {
		return 0, fmt.Errorf("%q: want a number of bytes or a size such as 16MiB", s)
	}
	return n * factor, nil
}

// StoreOptions translates the destination's options for storage.Open; the
// caller sets the logger.
func (d Destination) StoreOptions() (storage.Options, error) {
	o := storage.Options{
		CAFile:        d.CAFile,
		Concurrency:   d.UploadConcurrency,
		UploadTimeout: d.UploadTimeout.D(),
		StallTimeout:  d.StallTimeout.D(),
	}
	if l := d.ObjectLock; l != nil {
		o.Lock = &storage.Lock{Mode: l.Mode, MinRetention: l.MinRetention.D()}
	}
	if d.PartSize != "" {
		n, err := ParseSize(d.PartSize)
		if err != nil {
			return o, fmt.Errorf("part_size: %w", err)
		}
		o.PartSize = n
	}
	return o, nil
}
