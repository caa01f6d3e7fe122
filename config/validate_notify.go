package config

import (
	"net"
	"net/url"

	"github.com/etcd-backupd/etcd-backupd/notify"
)

// validateNotify checks the notify section. Errors never quote the webhook URL: a Slack webhook
// carries its secret in the path.
func (c *Config) validateNotify(errs *Errors) {
	n := &c.Notify
	if n.Format != "" {
		oneOf(errs, "notify.format", n.Format, notify.FormatJSON, notify.FormatSlack)
	}
	if n.WebhookURL == "" {
		if n.BearerTokenFile != "" {
			errs.add("notify.bearer_token_file", "set, but notify.webhook_url is not")
		}
		return
	}
	u, ok := checkWebhookURL(errs, n.WebhookURL)
	if n.BearerTokenFile == "" {
		return
	}
	if err := checkFile(n.BearerTokenFile, true); err != nil {
		errs.add("notify.bearer_token_file", "%v", err)
	}
	if ok && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		errs.add("notify.webhook_url", "http:// would send the bearer token in clear to %s; use https://", u.Host)
	}
}

// checkWebhookURL reports a webhook URL that is not an absolute http(s) URL.
func checkWebhookURL(errs *Errors, raw string) (*url.URL, bool) {
	const field = "notify.webhook_url"
	u, err := url.Parse(raw)
	switch {
	case err != nil || hasControl(raw, false):
		errs.add(field, "not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		errs.add(field, "scheme %q: use https:// (or http://)", u.Scheme)
	case u.Host == "":
		errs.add(field, "no host, as in https://hooks.example.com/etcd")
	case u.User != nil:
		errs.add(field, "credentials do not belong in the URL; use notify.bearer_token_file")
	case u.Port() != "" && checkPort(u.Port()) != nil:
		errs.add(field, "%v", checkPort(u.Port()))
	default:
		return u, true
	}
	return nil, false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
