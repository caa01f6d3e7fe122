package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

// kitWritten is what restore --kit-dir and fetch --kit say of the kit they wrote back.
type kitWritten struct {
	Dir              string   `json:"dir"`
	Files            []string `json:"files"`
	EncryptionConfig string   `json:"encryption_config,omitempty"` // where it was written
}

// writeKit writes backup id's restore kit under dir, each file at its original path.
func writeKit(ctx context.Context, o verify.Options, id, dir string) (*kitWritten, error) {
	m, err := o.Catalog.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	k, err := verify.OpenKit(ctx, o, m)
	if err != nil {
		return nil, err
	}
	files, err := k.Extract(dir)
	if err != nil {
		return nil, err
	}
	w := &kitWritten{Dir: dir, Files: files}
	if k.EncryptionConfig != "" {
		w.EncryptionConfig = filepath.Join(dir, k.EncryptionConfig)
	}
	return w, nil
}

func (w *kitWritten) print(out io.Writer) {
	fmt.Fprintf(out, "  kit       %d files written under %s", len(w.Files), w.Dir)
	if w.EncryptionConfig != "" {
		fmt.Fprintf(out, " (the API server's EncryptionConfiguration: %s)", w.EncryptionConfig)
	}
	fmt.Fprintln(out)
}
