package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/notify"
)

func TestValidateNotify(t *testing.T) {
	f := needFixture(t)
	const hook = "https://hooks.slack.com/services/T0/B0/sekrit"
	cases := []struct {
		name string
		set  map[string]any
		want string
	}{
		{"token without url", map[string]any{"notify.bearer_token_file": f.password}, "notify.bearer_token_file: set, but notify.webhook_url is not"},
		{"format", map[string]any{"notify.webhook_url": hook, "notify.format": "teams"}, `notify.format: "teams": use json or slack`},
		{"scheme", map[string]any{"notify.webhook_url": "ftp://h/x"}, `notify.webhook_url: scheme "ftp": use https://`},
		{"no host", map[string]any{"notify.webhook_url": "https:///x"}, "notify.webhook_url: no host"},
		{"user info", map[string]any{"notify.webhook_url": "https://u:sekrit@h/x"}, "notify.webhook_url: credentials do not belong in the URL"},
		{"bad url", map[string]any{"notify.webhook_url": "https://h/%zz-sekrit"}, "notify.webhook_url: not a valid URL"},
		{"port out of range", map[string]any{"notify.webhook_url": "https://h:70000/sekrit"}, "notify.webhook_url: port 70000 out of range"},
		{"port zero", map[string]any{"notify.webhook_url": "https://h:0/sekrit"}, "notify.webhook_url: port 0 out of range"},
		{"token relative to the config file, missing", map[string]any{"notify.webhook_url": hook, "notify.bearer_token_file": "token"}, `notify.bearer_token_file: stat `},
		{"token missing", map[string]any{"notify.webhook_url": hook, "notify.bearer_token_file": filepath.Join(f.dir, "missing")}, "notify.bearer_token_file: stat "},
		{"token empty", map[string]any{"notify.webhook_url": hook, "notify.bearer_token_file": f.empty}, "notify.bearer_token_file: " + f.empty + " is empty"},
		{"token over http", map[string]any{"notify.webhook_url": "http://alerts.example.com/sekrit", "notify.bearer_token_file": f.password}, "notify.webhook_url: http:// would send the bearer token in clear to alerts.example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseWith(t, f, tc.set)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Fatalf("error quotes the webhook URL: %v", err)
			}
		})
	}
}

func TestNotifyOptions(t *testing.T) {
	f := needFixture(t)
	spaced := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(spaced, []byte("two words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		set     map[string]any
		want    notify.Options
		wantErr string
	}{
		{"off", nil, notify.Options{Format: "json", Timeout: NotifyTimeout, Retries: NotifyRetries}, ""},
		{"slack without token", map[string]any{"notify.webhook_url": "https://hooks.slack.com/services/x", "notify.format": "slack"},
			notify.Options{URL: "https://hooks.slack.com/services/x", Format: "slack", Timeout: NotifyTimeout, Retries: NotifyRetries}, ""},
		{"loopback http with token", map[string]any{"notify.webhook_url": "http://127.0.0.1:8080/hook", "notify.bearer_token_file": f.password},
			notify.Options{URL: "http://127.0.0.1:8080/hook", BearerToken: testPassword, Format: "json", Timeout: NotifyTimeout, Retries: NotifyRetries}, ""},
		{"token with space", map[string]any{"notify.webhook_url": "https://h/x", "notify.bearer_token_file": spaced},
			notify.Options{}, "notify.bearer_token_file: " + spaced + ": the token holds spaces"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseWith(t, f, tc.set)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := c.NotifyOptions()
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("NotifyOptions = %v, want an error containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "two words") {
					t.Fatalf("error quotes the token: %v", err)
				}
			case err != nil:
				t.Fatalf("NotifyOptions: %v", err)
			case got != tc.want:
				t.Fatalf("NotifyOptions = %+v, want %+v", got, tc.want)
			}
		})
	}
}
