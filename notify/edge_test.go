package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDisabled(t *testing.T) {
	n := New(Options{URL: ""})
	if n != nil {
		t.Fatalf("New without URL = %+v, want nil", n)
	}
	if err := n.Send(context.Background(), Event{Kind: KindBackupFailed, Cluster: "c1"}); err != nil {
		t.Fatalf("nil Notifier Send: %v", err)
	}
}

func TestBadEvent(t *testing.T) {
	h := &hook{statuses: []int{200}}
	n := New(Options{URL: startHook(t, h)})
	tests := []struct {
		name  string
		event Event
		want  string
	}{
		{"unknown kind", Event{Kind: "exploded", Cluster: "c1"}, `event kind "exploded"`},
		{"no cluster", Event{Kind: KindRecovered}, "event recovered: no cluster"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := n.Send(context.Background(), tc.event)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Send = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if got := len(h.requests()); got != 0 {
		t.Fatalf("server saw %d requests for bad events, want 0", got)
	}
}

// TestCancelDuringBackoff: a long backoff does not outlive the caller's context.
func TestCancelDuringBackoff(t *testing.T) {
	h := &hook{statuses: []int{500}}
	n := New(Options{URL: startHook(t, h), Retries: 5, Backoff: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := n.Send(ctx, Event{Kind: KindBackupFailed, Cluster: "c1"})
	if err == nil || !strings.Contains(err.Error(), "gave up: context deadline exceeded") {
		t.Fatalf("Send = %v, want it to give up with the context", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("Send took %s after the context ended", elapsed)
	}
	if got := len(h.requests()); got != 1 {
		t.Fatalf("server saw %d requests, want 1", got)
	}
}

func TestLongErrorTruncated(t *testing.T) {
	h := &hook{statuses: []int{200}}
	n := New(Options{URL: startHook(t, h)})
	long := strings.Repeat("é", maxErrorLen) // 2 bytes each: the cut falls inside a rune
	if err := n.Send(context.Background(), Event{Kind: KindBackupFailed, Cluster: "c1", Error: long}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var got payload
	if err := json.Unmarshal(h.requests()[0].body, &got); err != nil {
		t.Fatalf("decode body: %v", err)
	}
	if len(got.Error) > maxErrorLen+len("…") || !utf8.ValidString(got.Error) || !strings.HasSuffix(got.Error, "…") {
		t.Fatalf("error of %d bytes (valid UTF-8 %v), want at most %d ending in …", len(got.Error), utf8.ValidString(got.Error), maxErrorLen)
	}
}

func TestTarget(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com"},
		{"http://user:pw@alerts.internal:8080/hook?token=abc", "http://alerts.internal:8080"},
		{"::not a url", "webhook"},
	}
	for _, tc := range tests {
		if got := Target(tc.in); got != tc.want {
			t.Fatalf("Target(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
