package main

import (
	"context"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
	"go.uber.org/zap"
)

// notifyStopping tells systemd that a graceful stop began. Outside systemd it does nothing.
func notifyStopping() { sd.SdNotify(false, sd.SdNotifyStopping) }

// notifyReady tells systemd (Type=notify) that the scheduler runs, and pings its watchdog until ctx ends.
// Outside systemd it does nothing.
func notifyReady(ctx context.Context, lg *zap.Logger) {
	if ok, err := sd.SdNotify(false, sd.SdNotifyReady); err != nil {
		lg.Warn("systemd notify", zap.Error(err))
	} else if !ok {
		return
	}
	interval, err := sd.SdWatchdogEnabled(false)
	if err != nil || interval == 0 {
		return
	}
	go func() {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				sd.SdNotify(false, sd.SdNotifyWatchdog)
			}
		}
	}()
}
