package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fileState is what a test compares of a file: size and modification time.
type fileState struct {
	size  int64
	mtime time.Time
}

// tree maps every file under dir (relative, '/'-separated) to its state.
func tree(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fileState{fi.Size(), fi.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeAged writes a file under dir and sets its modification time to now - age.
func writeAged(t *testing.T, dir, rel string, age time.Duration) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	mt := time.Now().Add(-age)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// backups takes n backups with run-once, writing a key before each so that every backup has
// its own revision, and returns their IDs, oldest first.
func (e *env) backups(n int) []string {
	e.t.Helper()
	c := e.etcd.Client(e.t)
	var ids []string
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.Put(ctx, "/prune-test/"+itoa(i), "x")
		cancel()
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, e.runOnce().ID)
	}
	return ids
}

// committed returns the IDs that have a manifest in the file destination, oldest first.
func (e *env) committed() []string {
	e.t.Helper()
	var ids []string
	for _, f := range files(e.t, e.storeDir()) {
		if id, ok := strings.CutSuffix(f, ".json"); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// runConcurrently runs the CLI with the config written by the last e.run, n times at once.
func (e *env) runConcurrently(n int, args ...string) (stdouts, stderrs []string, codes []int) {
	stdouts, stderrs, codes = make([]string, n), make([]string, n), make([]int, n)
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			var out, errb bytes.Buffer
			codes[i] = execute(append([]string{"--config", e.cfgPth}, args...), &out, &errb)
			stdouts[i], stderrs[i] = out.String(), errb.String()
		}()
	}
	for i := 0; i < n; i++ {
		<-done
	}
	return stdouts, stderrs, codes
}
