package config

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/notify"
)

// Fixed notification settings: each attempt is bounded, and a failed notification is retried
// with backoff (1s, 2s, 4s) before it is given up.
const (
	NotifyTimeout = 10 * time.Second
	NotifyRetries = 3
)

// NotifyOptions translates the notify section, reading the bearer token file. URL is "" when
// notifications are off; notify.New then returns nil, a Notifier that sends nothing. The caller
// sets Logger.
func (c *Config) NotifyOptions() (notify.Options, error) {
	n := c.Notify
	o := notify.Options{URL: n.WebhookURL, Format: n.Format, Timeout: NotifyTimeout, Retries: NotifyRetries}
	if o.Format == "" {
		o.Format = notify.FormatJSON
	}
	if n.WebhookURL == "" || n.BearerTokenFile == "" {
		return o, nil
	}
	b, err := os.ReadFile(n.BearerTokenFile)
	if err != nil {
		return o, &Error{"notify.bearer_token_file", err}
	}
	tok := strings.TrimSpace(string(b))
	switch {
	case tok == "":
		return o, &Error{"notify.bearer_token_file", fmt.Errorf("%s holds no token", n.BearerTokenFile)}
	case hasControl(tok, false) || strings.ContainsAny(tok, " \t"):
		return o, &Error{"notify.bearer_token_file", fmt.Errorf("%s: the token holds spaces or control characters", n.BearerTokenFile)}
	}
	o.BearerToken = tok
	return o, nil
}
