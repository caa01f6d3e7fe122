// Command benchfill writes Kubernetes-like keys into an etcd until its database reaches a size, for
// `make bench`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/k8sdata"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:2379", "etcd client URL")
	sizeMB := flag.Int64("size-mb", 100, "target database size in MB")
	valueSize := flag.Int("value-size", 4096, "approximate value size")
	bucket := flag.String("make-bucket", "", "instead of filling, create this bucket at the S3 -endpoint (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
	flag.Parse()
	if *bucket != "" {
		if err := makeBucket(*endpoint, *bucket, os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")); err != nil {
			fmt.Fprintln(os.Stderr, "benchfill:", err)
			os.Exit(1)
		}
		return
	}
	if err := fill(*endpoint, *sizeMB<<20, *valueSize); err != nil {
		fmt.Fprintln(os.Stderr, "benchfill:", err)
		os.Exit(1)
	}
}

func fill(endpoint string, target int64, valueSize int) error {
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	batch := int(32<<20) / valueSize
	for seed := int64(1); ; seed++ {
		st, err := c.Status(ctx, endpoint)
		if err != nil {
			return err
		}
		if st.DbSize >= target {
			fmt.Printf("benchfill: %s holds %d MB at revision %d\n", endpoint, st.DbSize>>20, st.Header.Revision)
			return nil
		}
		if _, err := k8sdata.Load(ctx, c, batch, valueSize, seed); err != nil {
			return err
		}
	}
}
