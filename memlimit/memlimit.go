// Package memlimit keeps the Go heap of a process small while only backups run in it.
//
// A backup's live heap is small and steady (about 25 MiB: the zstd window, the stage queues, the
// gRPC buffers; the status scanner spills the rest), but the garbage collector lets the heap grow
// to twice the live heap between cycles, and a long backup meets more of the peaks: its resident
// memory crept up with the database size. A soft limit while a backup runs keeps it flat. Work
// whose live heap is large by nature (a drill's embedded etcd, the journal's segments, maintenance)
// lifts the limit while it runs. GOMEMLIMIT, when set, is the operator's and left alone.
package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// Backup is the soft limit while only backups run.
const Backup = 40 << 20

// None asks for no limit while the work runs.
const None = 0

var (
	mu      sync.Mutex
	holders = map[*int64]struct{}{}
	set     = debug.SetMemoryLimit // a test's spy
)

// Hold applies limit while the work runs: the process is limited only while every holder asks for
// a limit, to the largest asked. The returned func releases it.
func Hold(limit int64) (release func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	h := &limit
	mu.Lock()
	holders[h] = struct{}{}
	apply()
	mu.Unlock()
	return func() {
		mu.Lock()
		delete(holders, h)
		apply()
		mu.Unlock()
	}
}

// apply sets the limit the holders ask for; mu is held.
func apply() {
	limit := int64(0)
	for h := range holders {
		if *h == None {
			limit = math.MaxInt64
			break
		}
		limit = max(limit, *h)
	}
	if limit == 0 {
		limit = math.MaxInt64
	}
	set(limit)
}
