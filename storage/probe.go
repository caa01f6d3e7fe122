package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// ProbeResult is the outcome of one storage probe.
type ProbeResult struct {
	Latency time.Duration // of the whole write, read and delete
	Err     error         // nil when the store works
	Kind    ErrorKind     // the kind of Err; KindNone when nil
	Step    string        // "write", "read", "compare" or "delete": where it failed
}

// OK reports whether the probe succeeded.
func (r ProbeResult) OK() bool { return r.Err == nil }

// Probe writes a small object under <cluster>/probe/, reads it back,
// compares it and deletes it. The error names the step and the kind: auth,
// not_found (the bucket), permission, network or tls.
func Probe(ctx context.Context, store Store, cluster string) ProbeResult {
	start := time.Now()
	step, err := probe(ctx, store, cluster)
	r := ProbeResult{Latency: time.Since(start)}
	if err != nil {
		r.Err = fmt.Errorf("probe %s: %s: %w", store, step, err)
		r.Kind = Classify(err)
		r.Step = step
	}
	return r
}

func probe(ctx context.Context, store Store, cluster string) (string, error) {
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return "write", err
	}
	key := fmt.Sprintf("%s/probe/%d-%s", cluster, time.Now().UnixNano(), hex.EncodeToString(token))
	data := append([]byte("etcd-backupd storage probe "), hex.EncodeToString(token)...)
	if err := probeWrite(ctx, store, key, data); err != nil {
		return "write", err
	}
	got, err := probeRead(ctx, store, key)
	if err != nil {
		_ = store.Delete(ctx, key)
		return "read", err
	}
	if !bytes.Equal(got, data) {
		_ = store.Delete(ctx, key)
		return "compare", fmt.Errorf("read back %d bytes that differ from the %d written", len(got), len(data))
	}
	if err := store.Delete(ctx, key); err != nil {
		return "delete", err
	}
	return "", nil
}

func probeWrite(ctx context.Context, store Store, key string, data []byte) error {
	w, err := store.NewWriter(ctx, key)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

func probeRead(ctx context.Context, store Store, key string) ([]byte, error) {
	r, err := store.NewReader(ctx, key)
	if err != nil {
		return nil, err
	}
	got, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return got, nil
}
