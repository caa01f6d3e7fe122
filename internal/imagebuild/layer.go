package imagebuild

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"time"
)

// entry is one file or directory of the layer.
type entry struct {
	path     string // without the leading '/'
	mode     int64
	uid, gid int
	dir      bool
	data     []byte // for small files
	src      string // for files copied from disk
}

// entries lists the layer's content; directories come before what they hold.
func entries(binary, caBundle string) []entry {
	dir := func(p string, mode int64, id int) entry {
		return entry{path: p, mode: mode, uid: id, gid: id, dir: true}
	}
	return []entry{
		dir("etc/", 0o755, 0),
		{path: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{path: "etc/group", mode: 0o644, data: []byte(group)},
		dir("etc/etcd-backupd/", 0o755, 0),
		dir("etc/ssl/", 0o755, 0),
		dir("etc/ssl/certs/", 0o755, 0),
		{path: CABundlePath[1:], mode: 0o644, src: caBundle},
		dir("tmp/", 0o1777, 0),
		dir("usr/", 0o755, 0),
		dir("usr/local/", 0o755, 0),
		dir("usr/local/bin/", 0o755, 0),
		{path: BinaryPath[1:], mode: 0o755, src: binary},
		dir("var/", 0o755, 0),
		dir("var/lib/", 0o755, 0),
		dir(SpoolDir[1:]+"/", 0o700, UID),
	}
}

var (
	passwd = fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", UID, GID, SpoolDir)
	group  = fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", GID)
)

// writeLayer writes the layer's uncompressed tar to w, every entry stamped with mtime.
func writeLayer(w io.Writer, es []entry, mtime time.Time) error {
	tw := tar.NewWriter(w)
	for _, e := range es {
		if err := writeEntry(tw, e, mtime); err != nil {
			return fmt.Errorf("add /%s: %w", e.path, err)
		}
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, e entry, mtime time.Time) error {
	h := &tar.Header{Name: e.path, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: mtime, Format: tar.FormatPAX}
	if e.dir {
		h.Typeflag = tar.TypeDir
		return tw.WriteHeader(h)
	}
	h.Typeflag = tar.TypeReg
	if e.src == "" {
		h.Size = int64(len(e.data))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(e.data)
		return err
	}
	f, err := os.Open(e.src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h.Size = st.Size()
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}
