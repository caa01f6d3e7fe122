package daemon

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// Options configure the daemon.
type Options struct {
	Jobs []Job
	// Services run for as long as this daemon leads (journal recording); their context ends when
	// leadership is lost or the daemon stops, and the daemon waits for them to return.
	Services    []func(ctx context.Context)
	Listen      string // "" serves no HTTP
	Metrics     *Metrics
	Logger      *zap.Logger
	GracePeriod time.Duration // how long a running job may go on after a stop request
	Now         func() time.Time
	// Ready, when set, is called once the scheduler and the HTTP server run (systemd notify, tests).
	Ready func(httpAddr string)
	// Elect, when set, runs the jobs only while this daemon leads: it calls lead while leading, with a
	// context cancelled when leadership is lost, until its ctx is cancelled. nil: this daemon always leads.
	Elect func(ctx context.Context, lead func(leadCtx context.Context))
	// Poll, when set, is called every PollInterval (default 30s) to refresh the etcd gauges.
	Poll         func(ctx context.Context) cluster.Gauges
	PollInterval time.Duration
}

// Run schedules the jobs until stop is cancelled, then lets running jobs finish for at most the grace
// period. Cancelling abort cuts the wait short and cancels the jobs at once.
func Run(stop, abort context.Context, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.GracePeriod <= 0 {
		o.GracePeriod = 2 * time.Minute
	}
	lg := o.Logger
	var ready atomic.Bool
	addr := ""
	if o.Listen != "" {
		srv, err := newServer(o.Listen, o.Metrics, &ready)
		if err != nil {
			return fmt.Errorf("http.listen %s: %w", o.Listen, err)
		}
		defer srv.shutdown()
		go func() {
			if err := srv.serve(); err != nil {
				lg.Error("http server stopped", zap.Error(err))
			}
		}()
		addr = srv.Addr()
		lg.Info("serving metrics", zap.String("addr", addr))
	}
	jobCtx, cancelJobs := context.WithCancel(abort)
	defer cancelJobs()
	s := &scheduler{lg: lg, now: o.Now, skipped: func(job string) { o.Metrics.Skipped.WithLabelValues(job).Inc() }}
	schedule := func(leadCtx context.Context) { s.runLoops(leadCtx, jobCtx, o.Jobs, o.Services) }
	elected := make(chan struct{})
	if o.Elect == nil {
		o.Metrics.Leader.Set(1)
		go func() { schedule(stop); close(elected) }()
	} else {
		o.Metrics.Leader.Set(0)
		go func() { o.Elect(stop, schedule); close(elected) }()
	}
	if o.Poll != nil {
		if o.PollInterval <= 0 {
			o.PollInterval = 30 * time.Second
		}
		go poll(stop, o.PollInterval, o.Metrics, o.Poll)
	}
	ready.Store(true)
	if o.Ready != nil {
		o.Ready(addr)
	}
	<-stop.Done()
	lg.Info("stopping: no new jobs; waiting for running ones", zap.Duration("grace", o.GracePeriod))
	<-elected
	s.waitJobs(abort, cancelJobs, o.GracePeriod)
	return nil
}

// runLoops schedules the jobs and runs the services until lead ends. Jobs already running go on;
// services return once they have wound down.
func (s *scheduler) runLoops(lead, jobCtx context.Context, jobs []Job, services []func(context.Context)) {
	var loops sync.WaitGroup
	for _, j := range jobs {
		loops.Add(1)
		go func() { defer loops.Done(); s.loop(lead.Done(), jobCtx, j) }()
		s.lg.Info("job scheduled", zap.String("job", j.Name), zap.Time("next", j.Schedule.Next(s.now())))
	}
	for _, run := range services {
		loops.Add(1)
		go func() { defer loops.Done(); run(lead) }()
	}
	loops.Wait()
}

// waitJobs waits for running jobs, cancelling them after grace or when abort is cancelled.
func (s *scheduler) waitJobs(abort context.Context, cancel context.CancelFunc, grace time.Duration) {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
		s.lg.Warn("grace period over; cancelling running jobs")
	case <-abort.Done():
		s.lg.Warn("second signal; cancelling running jobs")
	}
	cancel()
	<-done
}
