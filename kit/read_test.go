package kit

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// member is one entry of a hand-made archive.
type member struct {
	hdr  tar.Header
	data string
}

// handTar writes kit.json listing listed (path: content), then members.
func handTar(t *testing.T, listed map[string]string, members ...member) []byte {
	t.Helper()
	m := meta{Version: Version, Files: []File{}}
	for p, data := range listed {
		sum := sha256.Sum256([]byte(data))
		m.Files = append(m.Files, File{Path: p, Mode: 0o600, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	}
	js, _ := json.Marshal(m)
	return rawTar(t, string(js), members...)
}

// rawTar writes js as kit.json, then members.
func rawTar(t *testing.T, js string, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	all := append([]member{{tar.Header{Name: metaName, Typeflag: tar.TypeReg, Mode: 0o600}, js}}, members...)
	for _, e := range all {
		e.hdr.Size = int64(len(e.data))
		if e.hdr.Typeflag != tar.TypeReg {
			e.hdr.Size = 0
		}
		if err := tw.WriteHeader(&e.hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	return buf.Bytes()
}

func reg(name, data string) member {
	return member{tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o600}, data}
}

func TestReadRefusesHostileArchives(t *testing.T) {
	one := map[string]string{"/etc/a": "a"}
	good := handTar(t, one, reg("etc/a", "a"))
	if _, err := Read(good); err != nil {
		t.Fatalf("a good hand-made kit: %v", err)
	}
	symlink := member{tar.Header{Name: "etc/a", Typeflag: tar.TypeSymlink, Linkname: "/etc/shadow"}, ""}
	device := member{tar.Header{Name: "etc/a", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, ""}
	hardlink := member{tar.Header{Name: "etc/a", Typeflag: tar.TypeLink, Linkname: "etc/b"}, ""}
	cases := map[string]struct {
		tar  []byte
		want string
	}{
		"absolute":    {handTar(t, one, reg("/etc/a", "a")), `entry "/etc/a": absolute name`},
		"dotdot":      {handTar(t, one, reg("../etc/a", "a")), `entry "../etc/a": ".." in the name`},
		"unclean":     {handTar(t, one, reg("etc//a", "a")), `entry "etc//a": not a clean name`},
		"symlink":     {handTar(t, one, symlink), `entry "etc/a": a symbolic link to /etc/shadow, not a regular file`},
		"hard link":   {handTar(t, one, hardlink), `entry "etc/a": a hard link to etc/b`},
		"device":      {handTar(t, one, device), `entry "etc/a": a device`},
		"duplicate":   {handTar(t, one, reg("etc/a", "a"), reg("etc/a", "a")), `entry "etc/a": a second time`},
		"unlisted":    {handTar(t, one, reg("etc/a", "a"), reg("etc/b", "b")), `entry "etc/b": not listed in kit.json`},
		"missing":     {handTar(t, one), "/etc/a is listed in kit.json but missing from the archive"},
		"sha256":      {handTar(t, one, reg("etc/a", "b")), `entry "etc/a": sha256 3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d, kit.json says ca978112`},
		"size":        {handTar(t, one, reg("etc/a", "aa")), `entry "etc/a": 2 bytes, kit.json says 1`},
		"no kit.json": {handTar(t, nil)[512+512:], "reading kit.json"},
		"listed twice": {bytes.Replace(handTar(t, map[string]string{"/etc/a": "a", "/etc/b": "a"}), []byte("/etc/b"), []byte("/etc/a"), 1),
			"kit.json: file /etc/a listed twice"},
	}
	sum := `"sha256": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"`
	for name, c := range map[string][2]string{
		"version":     {`{"version": 2, "files": []}`, "kit.json: format version 2"},
		"relative":    {`{"version": 1, "files": [{"path": "etc/a", "mode": 384, "size": 1, ` + sum + `}]}`, `file "etc/a": want a clean absolute path`},
		"mode":        {`{"version": 1, "files": [{"path": "/etc/a", "mode": 2147484032, "size": 1, ` + sum + `}]}`, "file /etc/a: mode"},
		"bad sha256":  {`{"version": 1, "files": [{"path": "/etc/a", "mode": 384, "size": 1, "sha256": "CA"}]}`, `file /etc/a: sha256 "CA"`},
		"enc missing": {`{"version": 1, "encryption_config": "/etc/enc.yaml", "files": []}`, "encryption_config /etc/enc.yaml is not among the files"},
		"not json":    {`{`, "kit.json: unexpected end of JSON input"},
	} {
		cases["kit.json "+name] = struct {
			tar  []byte
			want string
		}{rawTar(t, c[0]), c[1]}
	}
	var first bytes.Buffer
	tw := tar.NewWriter(&first)
	tw.WriteHeader(&tar.Header{Name: "etc/a", Typeflag: tar.TypeReg, Mode: 0o600, Size: 1})
	tw.Write([]byte("a"))
	tw.Close()
	cases["kit.json not first"] = struct {
		tar  []byte
		want string
	}{first.Bytes(), `first entry "etc/a": want kit.json`}
	for name, c := range cases {
		k, err := Read(c.tar)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Read = %+v, %v; want an error with %q", name, k, err, c.want)
		}
	}
}

func TestReadTruncated(t *testing.T) {
	k := collect(t, kubeadmTree(t).opts)
	b, err := k.Tar()
	if err != nil {
		t.Fatal(err)
	}
	last := k.Files[len(k.Files)-1]
	cut := bytes.Index(b, last.data) + len(last.data)/2
	_, err = Read(b[:cut])
	if want := `entry "` + strings.TrimPrefix(last.Path, "/") + `": truncated`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Read truncated = %v, want %q", err, want)
	}
	first := k.Files[0]
	_, err = Read(b[:bytes.Index(b, first.data)-100])
	if err == nil || !strings.Contains(err.Error(), `the entry after "kit.json"`) {
		t.Fatalf("Read cut in a header = %v", err)
	}
}
