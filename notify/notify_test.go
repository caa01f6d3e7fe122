package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

const (
	secretToken = "tok-3b9f-never-logged"
	secretPath  = "/hooks/T000/B000/secretpath"
)

var when = time.Date(2026, 3, 1, 2, 3, 4, 0, time.UTC)

// request is what the test server saw.
type request struct {
	method, auth, contentType string
	body                      []byte
}

// hook is a webhook server that answers with statuses in turn (the last one repeats), or hangs.
type hook struct {
	mu       sync.Mutex
	got      []request
	statuses []int
	hang     bool
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got = append(h.got, request{r.Method, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
	status := h.statuses[min(len(h.got), len(h.statuses))-1]
	h.mu.Unlock()
	if h.hang {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	w.WriteHeader(status)
}

func (h *hook) requests() []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]request(nil), h.got...)
}

func startHook(t *testing.T, h *hook) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + secretPath + "?key=secretquery"
}

func TestSend(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		hang      bool
		retries   int
		token     string
		wantErr   string // "" means success
		wantCalls int
	}{
		{name: "success", statuses: []int{204}, retries: 3, token: secretToken, wantCalls: 1},
		{name: "retries on 500", statuses: []int{500, 502, 200}, retries: 3, token: secretToken, wantCalls: 3},
		{name: "retries on 429", statuses: []int{429, 200}, retries: 1, wantCalls: 2},
		{name: "gives up", statuses: []int{503}, retries: 2, token: secretToken, wantErr: "attempt 3: answered 503", wantCalls: 3},
		{name: "no retry on 400", statuses: []int{400}, retries: 3, token: secretToken, wantErr: "attempt 1: answered 400", wantCalls: 1},
		{name: "no retry when 0", statuses: []int{500}, retries: 0, wantErr: "attempt 1: answered 500", wantCalls: 1},
		{name: "timeout", statuses: []int{200}, hang: true, retries: 1, token: secretToken, wantErr: "attempt 2: no answer within 150ms", wantCalls: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &hook{statuses: tc.statuses, hang: tc.hang}
			core, logs := observer.New(zap.DebugLevel)
			n := New(Options{URL: startHook(t, h), BearerToken: tc.token, Timeout: 150 * time.Millisecond,
				Retries: tc.retries, Backoff: 10 * time.Millisecond, Logger: zap.New(core)})
			start := time.Now()
			err := n.Send(context.Background(), Event{Kind: KindBackupFailed, Cluster: "prod-eu1", Error: "upload: boom", Time: when})
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Fatalf("Send took %s", elapsed)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Send: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Send error = %v, want it to contain %q", err, tc.wantErr)
			}
			got := h.requests()
			if len(got) != tc.wantCalls {
				t.Fatalf("server saw %d requests, want %d", len(got), tc.wantCalls)
			}
			wantAuth := ""
			if tc.token != "" {
				wantAuth = "Bearer " + tc.token
			}
			for _, r := range got {
				if r.method != http.MethodPost || r.auth != wantAuth || r.contentType != "application/json" {
					t.Fatalf("request %s auth %q type %q, want POST auth %q type application/json", r.method, r.auth, r.contentType, wantAuth)
				}
			}
			leaks := []string{secretToken, "secretpath", "secretquery"}
			for _, e := range logs.All() {
				checkNoLeak(t, "log", e.Message+" "+fieldText(e), leaks)
			}
			if err != nil {
				checkNoLeak(t, "error", err.Error(), leaks)
			}
		})
	}
}

func fieldText(e observer.LoggedEntry) string {
	b, _ := json.Marshal(e.ContextMap())
	return string(b)
}

func checkNoLeak(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Fatalf("%s leaks %q: %s", where, s, text)
		}
	}
}

func TestBody(t *testing.T) {
	tests := []struct {
		name   string
		format string
		event  Event
		want   map[string]string
	}{
		{
			name: "json failure", format: FormatJSON,
			event: Event{Kind: KindDrillFailed, Cluster: "c1", Job: "drill", BackupID: "20260301T000000Z-r000000000042", Error: "restore: bad hash", Time: when},
			want: map[string]string{"kind": "drill_failed", "cluster": "c1", "job": "drill", "backup_id": "20260301T000000Z-r000000000042",
				"error": "restore: bad hash", "time": "2026-03-01T02:03:04Z",
				"text": "etcd-backupd c1: restore drill failed (backup 20260301T000000Z-r000000000042) at 2026-03-01T02:03:04Z: restore: bad hash"},
		},
		{
			name: "json recovered", format: "",
			event: Event{Kind: KindRecovered, Cluster: "c1", Job: "backup", BackupID: "20260301T020304Z-r000000000043", Time: when},
			want: map[string]string{"kind": "recovered", "cluster": "c1", "job": "backup", "backup_id": "20260301T020304Z-r000000000043",
				"time": "2026-03-01T02:03:04Z", "text": "etcd-backupd c1: backup recovered (backup 20260301T020304Z-r000000000043) at 2026-03-01T02:03:04Z"},
		},
		{
			name: "slack escapes", format: FormatSlack,
			event: Event{Kind: KindBackupFailed, Cluster: "c1", Error: `dial <https://10.0.0.1:2379> & "more"`, Time: when},
			want:  map[string]string{"text": `etcd-backupd c1: backup failed at 2026-03-01T02:03:04Z: dial &lt;https://10.0.0.1:2379&gt; &amp; "more"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &hook{statuses: []int{200}}
			n := New(Options{URL: startHook(t, h), Format: tc.format})
			if err := n.Send(context.Background(), tc.event); err != nil {
				t.Fatalf("Send: %v", err)
			}
			var got map[string]string
			if err := json.Unmarshal(h.requests()[0].body, &got); err != nil {
				t.Fatalf("decode body %s: %v", h.requests()[0].body, err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("body = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("body[%s] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
