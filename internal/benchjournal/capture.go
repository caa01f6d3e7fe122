package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// captureFlags configure one capture run.
type captureFlags struct {
	endpoint, metricsURL, walDir, prefix string
	daemonPID, etcdPID                   int
	conns, clients, perTxn, valueSize    int
	duration, warmup, drain              time.Duration
}

func parseCapture(args []string) *captureFlags {
	f := &captureFlags{}
	fs := flag.NewFlagSet("capture", flag.ExitOnError)
	fs.StringVar(&f.endpoint, "endpoint", "", "etcd client URL")
	fs.StringVar(&f.metricsURL, "metrics", "", "the daemon's /metrics URL")
	fs.StringVar(&f.walDir, "wal", "", "<store>/<cluster>/wal of the daemon's file destination")
	fs.StringVar(&f.prefix, "prefix", "cap_", "prefix of the printed names")
	fs.IntVar(&f.daemonPID, "daemon-pid", 0, "the daemon's pid")
	fs.IntVar(&f.etcdPID, "etcd-pid", 0, "etcd's pid")
	fs.IntVar(&f.conns, "conns", 4, "client connections")
	fs.IntVar(&f.clients, "clients", 32, "concurrent writers")
	fs.IntVar(&f.perTxn, "per-txn", 1, "puts in each transaction (events a revision)")
	fs.IntVar(&f.valueSize, "value-size", 2048, "value size")
	fs.DurationVar(&f.duration, "duration", 25*time.Second, "how long to write")
	fs.DurationVar(&f.warmup, "warmup", 5*time.Second, "left out of the steady window (at most a quarter of --duration)")
	fs.DurationVar(&f.drain, "drain-timeout", time.Minute, "how long the journal may take to commit the last write")
	fs.Parse(args)
	f.warmup = min(f.warmup, f.duration/4) // a short run keeps a steady window
	return f
}

// captured is what one capture run measured.
type captured struct {
	start, end, drained time.Time
	t                   *tally
	acks                []revAck
	m0, mEnd            metrics
	samples             []sample
	cpu0, cpu1          []time.Duration
}

// runCapture writes as fast as etcd takes it for --duration while sampling the daemon every
// second, waits until the journal committed the last write, and prints what both did.
func runCapture(args []string, out io.Writer) error {
	f := parseCapture(args)
	cs, err := dial(f.endpoint, f.conns)
	if err != nil {
		return err
	}
	defer closeAll(cs)
	kvs := values(f.valueSize)
	w := &workload{clients: cs, perTxn: f.perTxn, timeout: 30 * time.Second,
		key:   func(i int64) string { return kvs[i%poolSize].Key },
		value: func(i int64) []byte { return kvs[(i+i/poolSize)%poolSize].Value }}
	c := &captured{}
	if c.m0, err = scrape(f.metricsURL); err != nil {
		return err
	}
	c.cpu0 = cpuOf(f.daemonPID, f.etcdPID, os.Getpid())
	s := startSampler(f.metricsURL, f.daemonPID)
	acked := &ackLog{}
	stop := make(chan struct{})
	c.start = time.Now()
	time.AfterFunc(f.duration, func() { close(stop) })
	c.t = w.run(f.clients, 0, stop, acked.add)
	c.end = time.Now()
	c.cpu1 = cpuOf(f.daemonPID, f.etcdPID, os.Getpid())
	if n := c.t.errs.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "benchjournal capture: %d transactions failed, first: %v\n", n, c.t.firstErr.Load())
	}
	c.mEnd, c.drained, err = waitCommitted(f.metricsURL, c.t.lastRev.Load(), f.drain)
	c.samples, c.acks = s.stop(), acked.acks
	if err != nil {
		return err
	}
	wal, err := scanWAL(f.walDir)
	if err != nil {
		return err
	}
	return c.print(report{out, f.prefix}, f, lagsOf(wal, c.acks))
}

// print reports the run. The steady window leaves the warmup out and ends with the writes.
func (c *captured) print(r report, f *captureFlags, lags []segmentLag) error {
	_, hwm, err := procMem(f.daemonPID)
	if err != nil {
		return err
	}
	load := c.end.Sub(c.start).Seconds()
	from := c.start.Add(f.warmup)
	steady := committedWithin(lags, from, c.end)
	r.int("puts", c.t.puts.Load())
	r.int("txns", c.t.txns.Load())
	r.int("errors", c.t.errs.Load())
	r.float("seconds", load)
	r.float("puts_per_s", float64(c.t.puts.Load())/load)
	r.float("txns_per_s", float64(c.t.txns.Load())/load)
	r.int("steady_segments", int64(len(steady)))
	r.float("steady_events_per_s", commitRate(steady))
	r.float("metrics_events_per_s", steadyRate(c.samples, from, c.end))
	r.float("steady_lag_max_s", maxLagOf(steady).Seconds())
	r.float("gauge_lag_max_s", maxLag(within(c.samples, from, c.end)))
	r.float("tail_lag_s", maxLagOf(committedWithin(lags, c.end, c.drained)).Seconds())
	r.float("drain_s", c.drained.Sub(c.end).Seconds())
	r.int("throttled", int64(c.mEnd[mThrottled]-c.m0[mThrottled]))
	r.int("gaps", int64(c.mEnd[mGaps]-c.m0[mGaps]))
	r.int("rss_peak_kb", peakRSS(c.samples))
	r.int("hwm_kb", hwm)
	for i, name := range []string{"daemon", "etcd", "loadgen"} {
		r.float(name+"_cores", (c.cpu1[i]-c.cpu0[i]).Seconds()/load)
	}
	return nil
}

// cpuOf is the CPU time each pid has used; 0 for one that cannot be read.
func cpuOf(pids ...int) []time.Duration {
	ds := make([]time.Duration, len(pids))
	for i, p := range pids {
		ds[i], _ = procCPU(p)
	}
	return ds
}

// waitCommitted polls until the journal's last committed revision reaches rev.
func waitCommitted(url string, rev int64, within time.Duration) (metrics, time.Time, error) {
	deadline := time.Now().Add(within)
	for {
		m, err := scrape(url)
		if err == nil && int64(m[mLastRev]) >= rev {
			return m, time.Now(), nil
		}
		if time.Now().After(deadline) {
			return nil, time.Time{}, fmt.Errorf("the journal did not commit revision %d within %s (at %d; %v)",
				rev, within, int64(m[mLastRev]), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
