package main

import (
	"sync"
	"time"
)

// sample is the daemon's state at one moment.
type sample struct {
	at     time.Time
	m      metrics
	rssKB  int64
	scrape error
}

// sampler scrapes the daemon's metrics and reads its memory every second.
type sampler struct {
	mu      sync.Mutex
	samples []sample
	done    chan struct{}
	stopped chan struct{}
}

func startSampler(url string, pid int) *sampler {
	s := &sampler{done: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(s.stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			m, err := scrape(url)
			rss, _, _ := procMem(pid)
			s.mu.Lock()
			s.samples = append(s.samples, sample{at: time.Now(), m: m, rssKB: rss, scrape: err})
			s.mu.Unlock()
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the samples.
func (s *sampler) stop() []sample {
	close(s.done)
	<-s.stopped
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// steadyRate is the rate of committed events between the first sample at or after from and the
// last one at or before to.
func steadyRate(samples []sample, from, to time.Time) float64 {
	var a, b *sample
	for i := range samples {
		s := &samples[i]
		if s.scrape != nil || s.at.Before(from) || s.at.After(to) {
			continue
		}
		if a == nil {
			a = s
		}
		b = s
	}
	if a == nil || b == a {
		return 0
	}
	return (b.m[mEvents] - a.m[mEvents]) / b.at.Sub(a.at).Seconds()
}

// within are the samples taken in [from, to].
func within(samples []sample, from, to time.Time) []sample {
	var in []sample
	for _, s := range samples {
		if !s.at.Before(from) && !s.at.After(to) {
			in = append(in, s)
		}
	}
	return in
}

func maxLag(samples []sample) float64 {
	lag := 0.0
	for _, s := range samples {
		lag = max(lag, s.m[mLag])
	}
	return lag
}

func peakRSS(samples []sample) int64 {
	var peak int64
	for _, s := range samples {
		peak = max(peak, s.rssKB)
	}
	return peak
}
