// Command imagebuild writes the etcd-backupd container image as a tarball, without Docker.
//
//	go run ./internal/imagebuild/cmd/imagebuild -binary bin/etcd-backupd -tag ghcr.io/etcd-backupd/etcd-backupd:v1.0.0 -o bin/image.tar
//
// SOURCE_DATE_EPOCH, when set, fixes the creation time so that the image is reproducible.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/etcd-backupd/etcd-backupd/internal/imagebuild"
)

func main() {
	var o imagebuild.Options
	var out, tag string
	flag.StringVar(&o.Binary, "binary", "bin/etcd-backupd", "the static etcd-backupd binary")
	flag.StringVar(&o.CABundle, "ca-bundle", imagebuild.DefaultCABundle, "PEM CA bundle to put in the image")
	flag.StringVar(&o.Version, "version", "dev", "version label")
	flag.StringVar(&tag, "tag", "ghcr.io/etcd-backupd/etcd-backupd:dev", "image reference written in the tarball")
	flag.StringVar(&out, "o", "bin/etcd-backupd-image.tar", "output tarball")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fail(fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err))
		}
		o.Created = time.Unix(sec, 0)
	}
	if err := imagebuild.Write(out, tag, o); err != nil {
		fail(err)
	}
	fmt.Printf("wrote %s (%s)\n", out, tag)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "imagebuild: %v\n", err)
	os.Exit(1)
}
