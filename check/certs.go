package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// certFindings reports certificates that expire within the thresholds, and sums up the others.
func certFindings(h *cluster.Health, th Thresholds, now time.Time) []Finding {
	var out []Finding
	var fine int
	var first *cluster.CertExpiry
	for i := range h.Certs {
		c := &h.Certs[i]
		if c.NotAfter.IsZero() {
			if !downServer(h, c) {
				out = append(out, finding(Warn, certSubject(c), certAction(c), "cannot read: %v", c.Err))
			}
			continue
		}
		left := c.NotAfter.Sub(now)
		date := c.NotAfter.UTC().Format(time.DateOnly)
		when := fmt.Sprintf("%s (%s)", date, days(left))
		switch {
		case left <= 0:
			out = append(out, finding(Critical, certSubject(c), certAction(c), "expired on %s", date))
		case left < th.CertCritical:
			out = append(out, finding(Critical, certSubject(c), certAction(c), "expires on %s", when))
		case left < th.CertWarn:
			out = append(out, finding(Warn, certSubject(c), certAction(c), "expires on %s", when))
		default:
			fine++
			if first == nil || c.NotAfter.Before(first.NotAfter) {
				first = c
			}
		}
	}
	if fine > 0 {
		out = append(out, finding(OK, "certificates", "", "%d valid for %s or more; the first to expire is %s on %s",
			fine, span(th.CertWarn), first.Label, first.NotAfter.UTC().Format(time.DateOnly)))
	}
	return out
}

// downServer reports whether c is the server certificate of a member that does not answer, which the
// member's own finding already covers.
func downServer(h *cluster.Health, c *cluster.CertExpiry) bool {
	if !strings.HasPrefix(c.Label, cluster.CertServerPrefix) {
		return false
	}
	for _, m := range h.Members {
		if m.Endpoint == c.Source {
			return !m.Answers()
		}
	}
	return false
}

func certSubject(c *cluster.CertExpiry) string {
	switch {
	case c.Label == cluster.CertClient:
		return "client certificate " + c.Source
	case strings.HasPrefix(c.Label, cluster.CertCA):
		return "CA certificate " + c.Source
	}
	return "server certificate of " + strings.TrimPrefix(c.Label, cluster.CertServerPrefix)
}

func certAction(c *cluster.CertExpiry) string {
	switch {
	case c.Label == cluster.CertClient:
		return "renew it (kubeadm: kubeadm certs renew etcd-healthcheck-client); etcd-backupd reads it at each connection"
	case strings.HasPrefix(c.Label, cluster.CertCA):
		return "plan the CA rotation now: every etcd server, peer and client certificate chains to it"
	}
	return "renew it on that node (kubeadm: kubeadm certs renew etcd-server), then restart etcd " +
		"(kubectl -n kube-system delete pod etcd-<node>)"
}

// days writes a duration in whole days, or hours under two days.
func days(d time.Duration) string {
	switch {
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh left", int(d.Hours()))
	}
	return fmt.Sprintf("%d days left", int(d.Hours()/24))
}
