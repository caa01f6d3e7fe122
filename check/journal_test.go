package check

import (
	"errors"
	"testing"
	"time"

	"github.com/etcd-backupd/etcd-backupd/cluster"
	"github.com/etcd-backupd/etcd-backupd/journal"
)

// atRevision sets every member's revision.
func atRevision(rev int64) *cluster.Health {
	h := healthy()
	for _, m := range h.Members {
		m.Status.Header.Revision = rev
	}
	return h
}

func TestJournalFindings(t *testing.T) {
	const url = "file:///backups"
	window := func(to int64) []journal.WindowInfo {
		return []journal.WindowInfo{{Base: "b", FromRevision: 10, ToRevision: to}}
	}
	fresh := &journal.Summary{Segments: 5, NewestRevision: 500, NewestTime: testNow.Add(-3 * time.Second), Windows: window(500)}
	old := &journal.Summary{Segments: 5, NewestRevision: 500, NewestTime: testNow.Add(-5 * time.Minute), Windows: window(500)}
	ancient := &journal.Summary{Segments: 5, NewestRevision: 500, NewestTime: testNow.Add(-2 * time.Hour), Windows: window(500)}
	gappy := &journal.Summary{Segments: 5, NewestRevision: 500, NewestTime: testNow, Windows: window(400),
		Gaps: []journal.Gap{{From: 401, To: 450}}}
	for name, c := range map[string]struct {
		s      *journal.Summary
		err    error
		rev    int64
		maxAge time.Duration
		want   []want
		none   bool
	}{
		"off":                {s: ancient, rev: 900, maxAge: 0, none: true},
		"up to date":         {s: fresh, rev: 501, maxAge: 5 * time.Second, want: []want{{OK, "journal at", "up to date: revision 500"}}},
		"idle cluster":       {s: ancient, rev: 500, maxAge: 5 * time.Second, want: []want{{OK, "journal at", "up to date"}}},
		"lagging":            {s: old, rev: 900, maxAge: 5 * time.Second, want: []want{{Warn, "journal at", "lagging: newest journaled revision 500"}}},
		"behind":             {s: ancient, rev: 900, maxAge: 5 * time.Second, want: []want{{Critical, "journal at", "behind"}}},
		"gap and no base":    {s: gappy, rev: 500, maxAge: 5 * time.Second, want: []want{{Warn, "journal at", "1 gap(s): revisions 401-450"}, {Warn, "journal at", "follow no full backup"}}},
		"empty":              {s: &journal.Summary{}, rev: 10, maxAge: 5 * time.Second, want: []want{{Warn, "journal at", "no segment is committed"}}},
		"destination unread": {err: errors.New("access denied"), rev: 10, maxAge: 5 * time.Second, want: []want{{Critical, "journal at", "access denied"}}},
	} {
		t.Run(name, func(t *testing.T) {
			st := DestinationState{URL: url, Journal: c.s, JournalErr: c.err}
			fs := journalFindings(st, atRevision(c.rev), c.maxAge, testNow)
			if c.none && len(fs) != 0 {
				t.Fatalf("findings with the journal off:\n%s", dump(fs))
			}
			for _, w := range c.want {
				if !hasFinding(fs, w) {
					t.Fatalf("no %+v in:\n%s", w, dump(fs))
				}
			}
		})
	}
}
