package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// The daemon's journal metrics the bench reads.
const (
	mLag       = "etcd_backupd_journal_lag_seconds"
	mEvents    = "etcd_backupd_journal_events_total"
	mThrottled = "etcd_backupd_journal_throttled_total"
	mLastRev   = "etcd_backupd_journal_last_revision"
	mRecording = "etcd_backupd_journal_recording"
	mBytes     = "etcd_backupd_journal_bytes_total"
	mGaps      = "etcd_backupd_journal_gaps_total"
)

// metrics are the values of one scrape, each name's series summed (labels dropped).
type metrics map[string]float64

// scrape reads the Prometheus text exposition at url.
func scrape(url string) (metrics, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return parseMetrics(resp.Body)
}

func parseMetrics(r io.Reader) (metrics, error) {
	m := metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		name := line[:i]
		if j := strings.IndexByte(name, '{'); j >= 0 {
			name = name[:j]
		}
		m[name] += v
	}
	return m, sc.Err()
}

// procMem is a process's resident memory now and its peak (VmRSS, VmHWM), in KiB.
func procMem(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		switch name {
		case "VmRSS":
			rss, _ = strconv.ParseInt(fields[0], 10, 64)
		case "VmHWM":
			hwm, _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return rss, hwm, sc.Err()
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// procCPU is the CPU time (user and system) a process has used so far.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // fields from the 3rd (state) on
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// runReady waits until the daemon at --metrics records the journal.
func runReady(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("ready", flag.ExitOnError)
	url := fs.String("metrics", "", "the daemon's /metrics URL")
	timeout := fs.Duration("timeout", time.Minute, "how long to wait")
	fs.Parse(args)
	deadline := time.Now().Add(*timeout)
	for {
		m, err := scrape(*url)
		if err == nil && m[mRecording] == 1 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the daemon did not record the journal within %s (last: %v)", *timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// runIdle prints the idle daemon's memory and journal state.
func runIdle(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	url := fs.String("metrics", "", "the daemon's /metrics URL")
	pid := fs.Int("pid", 0, "the daemon's pid")
	fs.Parse(args)
	m, err := scrape(*url)
	if err != nil {
		return err
	}
	rss, hwm, err := procMem(*pid)
	if err != nil {
		return err
	}
	r := report{out, "idle_"}
	r.int("rss_kb", rss)
	r.int("hwm_kb", hwm)
	r.float("lag_s", m[mLag])
	r.int("recording", int64(m[mRecording]))
	return nil
}
