package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/internal/buildinfo"
)

// Defaults of Options.
const (
	DefaultTimeout = 10 * time.Second
	DefaultBackoff = time.Second
	maxBackoff     = 30 * time.Second
)

// Options configure a Notifier.
type Options struct {
	URL         string        // http(s) webhook; "" disables notifications (New returns nil)
	BearerToken string        // sent as "Authorization: Bearer ..." when set
	Format      string        // FormatJSON (default) or FormatSlack
	Timeout     time.Duration // per attempt; 0 means DefaultTimeout
	Retries     int           // attempts after the first one; < 0 counts as 0
	Backoff     time.Duration // wait before the first retry, doubled at each next one (capped at 30s); 0 means DefaultBackoff
	Client      *http.Client  // nil: a client of its own
	Logger      *zap.Logger
}

// Notifier posts events to one webhook; it is safe for concurrent use. A nil *Notifier is valid
// and sends nothing.
type Notifier struct {
	opts   Options
	target string // scheme://host: the only part of the URL that is ever logged
	client *http.Client
	lg     *zap.Logger
}

// New returns a Notifier for o, or nil when o.URL is empty.
func New(o Options) *Notifier {
	if o.URL == "" {
		return nil
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	o.Retries = max(o.Retries, 0)
	if o.Format == "" {
		o.Format = FormatJSON
	}
	n := &Notifier{opts: o, target: Target(o.URL), client: o.Client, lg: o.Logger}
	if n.client == nil {
		n.client = &http.Client{}
	}
	if n.lg == nil {
		n.lg = zap.NewNop()
	}
	n.lg = n.lg.Named("notify")
	return n
}

// Target names a webhook URL as scheme://host, without the path, query or user info, which may hold secrets.
func Target(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "webhook"
	}
	return u.Scheme + "://" + u.Host
}

// Send posts e, retrying as configured, and returns the last error once every attempt failed.
// It gives up early when ctx ends.
func (n *Notifier) Send(ctx context.Context, e Event) error {
	if n == nil {
		return nil
	}
	if err := e.check(); err != nil {
		return fmt.Errorf("notify %s: %w", n.target, err)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	body, err := e.body(n.opts.Format)
	if err != nil {
		return fmt.Errorf("notify %s: encode %s: %w", n.target, e.Kind, err)
	}
	wait := n.opts.Backoff
	for attempt := 1; ; attempt++ {
		retry, err := n.post(ctx, body)
		if err == nil {
			return nil
		}
		if !retry || attempt > n.opts.Retries {
			return fmt.Errorf("notify %s: %s: attempt %d: %w", n.target, e.Kind, attempt, err)
		}
		n.lg.Warn("notification failed; retrying", zap.String("target", n.target), zap.String("kind", e.Kind),
			zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
		select {
		case <-ctx.Done():
			return fmt.Errorf("notify %s: %s: attempt %d: %w (gave up: %w)", n.target, e.Kind, attempt, err, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// post makes one attempt. retry says whether another attempt may succeed.
func (n *Notifier) post(ctx context.Context, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.opts.URL, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("bad webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "etcd-backupd/"+buildinfo.Get())
	if n.opts.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+n.opts.BearerToken)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return true, n.transportError(ctx, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return false, nil
	case c == http.StatusTooManyRequests || c >= 500:
		return true, fmt.Errorf("answered %s", resp.Status)
	default:
		return false, fmt.Errorf("answered %s", resp.Status)
	}
}

// transportError drops the URL from a client error and names a timeout plainly.
func (n *Notifier) transportError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", n.opts.Timeout, err)
	}
	return err
}
