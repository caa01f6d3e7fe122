package daemon

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"
)

// Job is a named function run on a cron schedule. A tick that comes while the job still runs is skipped.
type Job struct {
	Name     string
	Schedule cron.Schedule
	Run      func(ctx context.Context) error
}

// scheduler runs jobs until stopped.
type scheduler struct {
	lg      *zap.Logger
	skipped func(job string)
	now     func() time.Time
	wg      sync.WaitGroup // running jobs
}

// loop fires job at each tick until stop is closed. Job runs get jobCtx.
func (s *scheduler) loop(stop <-chan struct{}, jobCtx context.Context, job Job) {
	var running atomic.Bool
	for {
		now := s.now()
		next := job.Schedule.Next(now)
		if next.IsZero() {
			s.lg.Error("schedule never fires again; job disabled", zap.String("job", job.Name))
			return
		}
		timer := time.NewTimer(next.Sub(now))
		select {
		case <-stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		if !running.CompareAndSwap(false, true) {
			s.lg.Warn("previous run still in progress; tick skipped", zap.String("job", job.Name), zap.Time("tick", next))
			s.skipped(job.Name)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer running.Store(false)
			if err := job.Run(jobCtx); err != nil {
				s.lg.Error("job failed", zap.String("job", job.Name), zap.Error(err))
			}
		}()
	}
}
