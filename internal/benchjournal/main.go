// Command benchjournal drives and measures the journal (continuous backup) for `make bench`: it
// loads a real etcd while a real daemon journals it, samples the daemon's /metrics and memory,
// kills both to measure the recovery point, and reads what the journal stored.
//
// Each subcommand prints its results as shell assignments (name=value, numbers only), for
// scripts/bench.sh to source:
//
//	benchjournal ready   --metrics URL                      wait until the daemon records the journal
//	benchjournal idle    --metrics URL --pid PID            the idle daemon's memory
//	benchjournal capture --endpoint URL --metrics URL ...   load at the highest rate, sampled each second
//	benchjournal rpo-write --endpoint URL --kill PIDS ...   paced puts, then SIGKILL at T
//	benchjournal rpo-check --endpoint URL --acks FILE ...   what a restored member holds of them
//	benchjournal wal     --dir STORE/CLUSTER/wal            objects, segments and events stored
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	cmds := map[string]func(args []string, out io.Writer) error{
		"ready": runReady, "idle": runIdle, "capture": runCapture,
		"rpo-write": runRPOWrite, "rpo-check": runRPOCheck, "wal": runWAL,
	}
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: benchjournal ready|idle|capture|rpo-write|rpo-check|wal [flags]")
		os.Exit(2)
	}
	if err := cmds[os.Args[1]](os.Args[2:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "benchjournal %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// report prints results as shell assignments, each name prefixed.
type report struct {
	w      io.Writer
	prefix string
}

func (r report) int(name string, v int64) { fmt.Fprintf(r.w, "%s%s=%d\n", r.prefix, name, v) }

func (r report) float(name string, v float64) { fmt.Fprintf(r.w, "%s%s=%.3f\n", r.prefix, name, v) }
