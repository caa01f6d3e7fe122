package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ackedPut is one put etcd acknowledged: index, revision, when (unix ns).
type ackedPut struct {
	idx, rev, at int64
}

func rpoKey(prefix string, i int64) string { return fmt.Sprintf("%s%08d", prefix, i) }

// runRPOWrite puts --rate values a second (one put a revision, each to a new key) for --duration,
// then SIGKILLs every --kill pid at once (time T) and writes T and every acknowledged put to --acks.
func runRPOWrite(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("rpo-write", flag.ExitOnError)
	endpoint := fs.String("endpoint", "", "etcd client URL")
	rate := fs.Float64("rate", 1000, "puts a second")
	clients := fs.Int("clients", 16, "concurrent writers")
	duration := fs.Duration("duration", 15*time.Second, "how long to write before the kill")
	kill := fs.String("kill", "", "pids to SIGKILL at T, comma-separated")
	acksPath := fs.String("acks", "", "where to write T and the acknowledged puts")
	prefix := fs.String("prefix", "/bench-rpo/", "key prefix")
	valueSize := fs.Int("value-size", 2048, "value size")
	fs.Parse(args)
	pids, err := parsePIDs(*kill)
	if err != nil {
		return err
	}
	cs, err := dial(*endpoint, 2)
	if err != nil {
		return err
	}
	defer closeAll(cs)
	kvs := values(*valueSize)
	w := &workload{clients: cs, perTxn: 1, timeout: 2 * time.Second,
		key:   func(i int64) string { return rpoKey(*prefix, i) },
		value: func(i int64) []byte { return kvs[i%poolSize].Value }}
	acks := make([]ackedPut, int(*rate*(duration.Seconds()+10)))
	stop := make(chan struct{})
	done := make(chan *tally)
	start := time.Now()
	go func() {
		done <- w.run(*clients, *rate, stop, func(first, rev int64, at time.Time) {
			if first < int64(len(acks)) {
				acks[first] = ackedPut{idx: first, rev: rev, at: at.UnixNano()}
			}
		})
	}()
	time.Sleep(time.Until(start.Add(*duration)))
	for _, p := range pids {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil {
			return fmt.Errorf("kill %d: %w", p, err)
		}
	}
	killedAt := time.Now()
	close(stop)
	<-done
	n, err := writeAcks(*acksPath, killedAt, acks)
	if err != nil {
		return err
	}
	r := report{out, "rpo_"}
	r.int("acked", int64(n))
	r.float("puts_per_s", float64(n)/killedAt.Sub(start).Seconds())
	return nil
}

func parsePIDs(s string) ([]int, error) {
	var pids []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := strconv.Atoi(f)
		if err != nil || p <= 1 {
			return nil, fmt.Errorf("--kill %q: want pids", s)
		}
		pids = append(pids, p)
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("--kill: no pid")
	}
	return pids, nil
}

// writeAcks writes "kill T" then "idx rev at" for every put acknowledged before T, and returns
// how many.
func writeAcks(path string, killedAt time.Time, acks []ackedPut) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "kill %d\n", killedAt.UnixNano())
	n := 0
	for _, a := range acks {
		if a.rev == 0 || a.at > killedAt.UnixNano() {
			continue
		}
		fmt.Fprintf(bw, "%d %d %d\n", a.idx, a.rev, a.at)
		n++
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return n, f.Close()
}

// readAcks reads what writeAcks wrote.
func readAcks(path string) (killedAt int64, acks []ackedPut, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if _, err := fmt.Sscanf(lines[0], "kill %d", &killedAt); err != nil {
		return 0, nil, fmt.Errorf("%s: first line %q: %w", path, lines[0], err)
	}
	for _, l := range lines[1:] {
		var a ackedPut
		if _, err := fmt.Sscanf(l, "%d %d %d", &a.idx, &a.rev, &a.at); err != nil {
			return 0, nil, fmt.Errorf("%s: %q: %w", path, l, err)
		}
		acks = append(acks, a)
	}
	return killedAt, acks, nil
}
