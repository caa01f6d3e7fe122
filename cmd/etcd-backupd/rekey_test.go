package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/catalog"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/rekey"
)

// rkRekey runs rekey -w json and returns its rows; it fails the test unless the exit code is want.
func rkRekey(t *testing.T, e *env, want int, args ...string) []rekey.Row {
	t.Helper()
	out, stderr, code := e.run(append([]string{"rekey", "-w", "json"}, args...)...)
	if code != want {
		t.Fatalf("rekey %v: exit %d, want %d; stderr: %s", args, code, want, stderr)
	}
	var rows []rekey.Row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("rekey output %q: %v", out, err)
	}
	return rows
}

// rkListed returns the IDs list shows.
func rkListed(t *testing.T, e *env) []string {
	t.Helper()
	var ids []string
	for id := range vrLastDrills(t, e) {
		ids = append(ids, id)
	}
	return ids
}

// rkManifest reads the stored manifest of id.
func rkManifest(t *testing.T, e *env, id string) *catalog.Manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.storeDir(), id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := catalog.DecodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

func TestRekeyCmd(t *testing.T) {
	e := newEnv(t, 50).withPrivateKey()
	keyB := gpgtest.NewKey(t, "rekey-b", "future-default", "b pass")
	old := vrBackup(t, e)
	oldData, _ := vrFiles(e, old)
	oldBytes, err := os.ReadFile(oldData)
	if err != nil {
		t.Fatal(err)
	}

	rows := rkRekey(t, e, 0, "--all", "--recipient", keyB.PublicFile)
	if len(rows) != 1 || rows[0].OldID != old.ID || rows[0].Verified != "stored" || rows[0].Error != "" ||
		!slices.Equal(rows[0].Recipients, []string{keyB.Fingerprint}) {
		t.Fatalf("rekey rows %+v, want %s rekeyed to %s, verified stored", rows, old.ID, keyB.Fingerprint)
	}
	newID := rows[0].NewID
	if ids := rkListed(t, e); !slices.Equal(ids, []string{newID}) {
		t.Fatalf("list shows %v, want only %s", ids, newID)
	}
	nm := rkManifest(t, e, newID)
	if !slices.Equal(nm.Object.Recipients, []string{keyB.Fingerprint}) || nm.Snapshot != old.Snapshot ||
		!strings.HasPrefix(newID, strings.Join(strings.Split(old.ID, "-")[:2], "-")+"-") {
		t.Fatalf("new manifest %+v does not keep the snapshot and time of %s, or is not for B", nm, old.ID)
	}
	newData, _ := vrFiles(e, nm)
	newBytes, err := os.ReadFile(newData)
	if err != nil {
		t.Fatal(err)
	}
	if n := commonSuffix(oldBytes, newBytes); n < len(oldBytes)-1024 || n < len(newBytes)-1024 {
		t.Fatalf("only the last %d bytes of %d (old) and %d (new) agree: the data packet changed", n, len(oldBytes), len(newBytes))
	}
	if plain := keyB.Decrypt(t, newData); !bytes.HasPrefix(plain, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		t.Fatalf("gpg --decrypt with B: %d bytes, not a zstd frame", len(plain))
	}

	// Key A opens neither verify nor another rekey of the new backup, which stays in place.
	_, stderr, code := e.run("verify", newID)
	vrExpect(t, stderr, code, 1, "no matching private key")
	_, stderr, code = e.run("rekey", newID, "--recipient", e.key.PublicFile)
	vrExpect(t, stderr, code, 1, "rekey "+newID+" at file://.*no matching private key")
	if ids := rkListed(t, e); !slices.Equal(ids, []string{newID}) {
		t.Fatalf("after a failed rekey list shows %v, want %s", ids, newID)
	}

	// Key B verifies it, and rekeys it to A and B: verified quick, A verifies the result.
	e.set("encryption.private_key", keyB.SecretFile)
	e.set("encryption.passphrase_file", keyB.PassphraseFile)
	if _, stderr, code := e.run("verify", newID); code != 0 {
		t.Fatalf("verify with B: exit %d: %s", code, stderr)
	}
	rows = rkRekey(t, e, 0, newID, "--recipient", e.key.PublicFile, "--recipient", keyB.PublicFile)
	if len(rows) != 1 || rows[0].Verified != "quick" || rows[0].OldID != newID {
		t.Fatalf("rekey rows %+v, want %s verified quick", rows, newID)
	}
	if again := rkRekey(t, e, 0, "--all", "--recipient", keyB.PublicFile, "--recipient", e.key.PublicFile); len(again) != 1 ||
		again[0].Skipped == "" || again[0].NewID != "" {
		t.Fatalf("a second rekey to the same keys: %+v, want skipped", again)
	}
	e.set("encryption.private_key", e.key.SecretFile)
	e.set("encryption.passphrase_file", e.key.PassphraseFile)
	if _, stderr, code := e.run("verify", rows[0].NewID); code != 0 {
		t.Fatalf("verify with A after rekey to A and B: exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`^\d{8}T\d{6}Z-r\d{12}-[0-9a-f]{6}$`).MatchString(rows[0].NewID) {
		t.Fatalf("new ID %q", rows[0].NewID)
	}
}

func TestRekeyCmdUsage(t *testing.T) {
	e := newEnv(t, 0)
	for _, args := range [][]string{
		{"rekey", "--all"},
		{"rekey", "--recipient", e.key.PublicFile},
		{"rekey", "--all", "20261124T000203Z-r000000000042", "--recipient", e.key.PublicFile},
		{"rekey", "not-an-id", "--recipient", e.key.PublicFile},
	} {
		if _, stderr, code := e.run(args...); code != exitUsage {
			t.Fatalf("%v: exit %d, want 2; stderr: %s", args, code, stderr)
		}
	}
	_, stderr, code := e.run("rekey", "--all", "--recipient", e.key.PublicFile)
	vrExpect(t, stderr, code, 2, "encryption.private_key")
}
