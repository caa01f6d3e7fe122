package maintain

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// moveLeader hands leadership from m to a voting member, one this run defragmented if there is
// one, and waits until both say the new one leads. It returns m's fresh state, as a follower.
func (r *runner) moveLeader(ctx context.Context, h *cluster.Health, m cluster.MemberHealth) (cluster.MemberHealth, error) {
	to, ok := r.transferee(h, m.ID)
	if !ok {
		return m, fmt.Errorf("move leadership from %s: no voting member to take it", who(m))
	}
	r.o.Logger.Info("moving leadership", zap.String("from", who(m)), zap.String("to", who(to)))
	mctx, cancel := context.WithTimeout(ctx, r.o.RecoverTimeout)
	defer cancel()
	r.rep.LeaderMovedAt = time.Now()
	if err := r.c.MoveLeader(mctx, m.Endpoint, to.ID); err != nil {
		return m, err
	}
	deadline := time.Now().Add(r.o.RecoverTimeout)
	for {
		st, err := r.c.Status(ctx, m.Endpoint)
		ts, terr := r.c.Status(ctx, to.Endpoint)
		if err == nil && terr == nil && st.Leader == to.ID && ts.Leader == to.ID {
			m.Status = st
			r.rep.LeaderMovedFrom, r.rep.LeaderMovedTo = m.Label(), to.Label()
			return m, nil
		}
		if time.Now().After(deadline) {
			return m, fmt.Errorf("move leadership from %s to %s: not led by it after %s", who(m), who(to),
				r.o.RecoverTimeout)
		}
		if err := r.pause(ctx); err != nil {
			return m, err
		}
	}
}

// transferee picks who takes leadership from the member with ID from: a voting member that
// answers, preferably one already defragmented, then the most up to date.
func (r *runner) transferee(h *cluster.Health, from uint64) (cluster.MemberHealth, bool) {
	var best cluster.MemberHealth
	found := false
	better := func(m cluster.MemberHealth) bool {
		if r.done[m.ID] != r.done[best.ID] {
			return r.done[m.ID]
		}
		return m.Status.RaftAppliedIndex > best.Status.RaftAppliedIndex
	}
	for _, m := range h.Members {
		if m.ID == from || !m.Answers() || m.IsLearner || m.Status.IsLearner {
			continue
		}
		if !found || better(m) {
			best, found = m, true
		}
	}
	return best, found
}
