package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunOnceWithEtcdAuth backs up a cluster with etcd RBAC on, as a user with a password file.
func TestRunOnceWithEtcdAuth(t *testing.T) {
	e := newEnv(t, 50)
	c := e.etcd.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, step := range []func() error{
		func() error { _, err := c.UserAdd(ctx, "root", "root-pass"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := c.UserAdd(ctx, "backup", "s3cret-pass"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "backup", "root"); return err },
		func() error { _, err := c.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	pass := filepath.Join(e.dir, "etcd.password")
	e.set("etcd.username", "backup")
	e.set("etcd.password_file", pass)
	os.WriteFile(pass, []byte("not-the-pass-7731\n"), 0o600)
	_, stderr, code := e.run("run-once")
	if code != 1 || !strings.Contains(stderr, "authentication failed") || strings.Contains(stderr, "not-the-pass-7731") {
		t.Fatalf("wrong password: exit %d, stderr %q", code, stderr)
	}
	os.WriteFile(pass, []byte("s3cret-pass\n"), 0o600)
	_, stderr, code = e.run("run-once", "-w", "json")
	if code != 0 {
		t.Fatalf("run-once with auth: exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "s3cret-pass") {
		t.Fatal("the password appears in the output")
	}
}
