package maintain

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// defragOne defragments one member as a follower: the cluster settled, leadership moved away if it
// leads, then the call, then the wait until it answers and has caught up with the leader.
func (r *runner) defragOne(ctx context.Context, s Step, mr *MemberReport) error {
	h, err := r.settle(ctx)
	if err != nil {
		return midRun(err, fmt.Sprintf("before defragmenting %s, the cluster was not ready within %s", s.Endpoint,
			r.o.RecoverTimeout))
	}
	m, ok := find(h, s.Endpoint)
	if !ok {
		return fmt.Errorf("defragment %s: no longer a member", s.Endpoint)
	}
	// A lone voting member (AllowUnavailable) has no one to lead in its place.
	if voters, _ := h.Voters(); m.IsLeader() && voters > 1 {
		if m, err = r.moveLeader(ctx, h, m); err != nil {
			return err
		}
	}
	mr.LedAtDefragment = m.IsLeader()
	mr.DBSizeBefore, mr.InUseBefore = m.Status.DbSize, m.Status.DbSizeInUse
	r.o.Logger.Info("defragmenting", zap.String("member", who(m)), zap.Int64("db_size", m.Status.DbSize))
	start := time.Now()
	mr.DefragStartedAt = start
	dctx, cancel := context.WithTimeout(ctx, r.o.DefragTimeout)
	err = r.c.Defragment(dctx, m.Endpoint)
	cancel()
	if err != nil {
		return err
	}
	if r.o.afterDefrag != nil {
		r.o.afterDefrag(m.Endpoint)
	}
	st, err := r.waitBack(ctx, h, m, start, mr)
	if err != nil {
		return err
	}
	mr.Defragmented = true
	mr.DBSizeAfter, mr.InUseAfter = st.DbSize, st.DbSizeInUse
	mr.ReclaimedBytes = mr.DBSizeBefore - mr.DBSizeAfter
	r.done[m.ID] = true
	r.o.Logger.Info("defragmented", zap.String("member", who(m)), zap.Int64("reclaimed", mr.ReclaimedBytes),
		zap.Float64("unavailable_seconds", mr.UnavailableSeconds))
	return nil
}

// settle waits until the preconditions hold again: right after a member came back or leadership
// moved, a member may briefly report no leader.
func (r *runner) settle(ctx context.Context) (*cluster.Health, error) {
	deadline := time.Now().Add(r.o.RecoverTimeout)
	for {
		h := r.c.Health(ctx, cluster.HealthOptions{})
		err := Preconditions(h, r.o)
		if err == nil || time.Now().After(deadline) {
			return h, err
		}
		if err := r.pause(ctx); err != nil {
			return h, err
		}
	}
}

// waitBack polls the member until it answers without error (the end of its unavailability) and
// its applied index is within MaxRaftLag of the leader's.
func (r *runner) waitBack(ctx context.Context, h *cluster.Health, m cluster.MemberHealth, start time.Time,
	mr *MemberReport) (*clientv3.StatusResponse, error) {
	deadline := time.Now().Add(r.o.RecoverTimeout)
	var why string
	for {
		st, err := r.c.Status(ctx, m.Endpoint)
		if err != nil {
			why = "did not answer"
		} else if len(problems(st)) == 0 {
			if mr.UnavailableSeconds == 0 {
				mr.UnavailableSeconds = time.Since(start).Seconds()
			}
			behind, lerr := r.behind(ctx, h, st)
			switch {
			case lerr == nil && behind <= r.o.MaxRaftLag:
				return st, nil
			case lerr != nil:
				why = fmt.Sprintf("could not be compared with the leader (%v)", lerr)
			default:
				why = fmt.Sprintf("stayed %d raft entries behind the leader", behind)
			}
		} else {
			why = fmt.Sprintf("still reported %q", problems(st))
		}
		if time.Now().After(deadline) {
			if mr.UnavailableSeconds == 0 {
				mr.UnavailableSeconds = time.Since(start).Seconds()
			}
			return nil, fmt.Errorf("member %s %s for %s after its defragmentation: stopped, the members after it untouched",
				who(m), why, r.o.RecoverTimeout)
		}
		if err := r.pause(ctx); err != nil {
			return nil, err
		}
	}
}

// behind returns how far st's applied index is behind that of the leader st names.
func (r *runner) behind(ctx context.Context, h *cluster.Health, st *clientv3.StatusResponse) (uint64, error) {
	if st.Header != nil && st.Leader == st.Header.MemberId {
		return 0, nil
	}
	lead, ok := findID(h, st.Leader)
	if !ok {
		return 0, fmt.Errorf("leader %x not among the members", st.Leader)
	}
	ls, err := r.c.Status(ctx, lead.Endpoint)
	if err != nil {
		return 0, err
	}
	if ls.RaftAppliedIndex <= st.RaftAppliedIndex {
		return 0, nil
	}
	return ls.RaftAppliedIndex - st.RaftAppliedIndex, nil
}

func (r *runner) pause(ctx context.Context) error {
	t := time.NewTimer(r.o.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// problems returns a status's errors other than alarms.
func problems(st *clientv3.StatusResponse) []string {
	var out []string
	for _, e := range st.Errors {
		if !alarmRE.MatchString(e) {
			out = append(out, e)
		}
	}
	return out
}

func find(h *cluster.Health, endpoint string) (cluster.MemberHealth, bool) {
	for _, m := range h.Members {
		if m.Endpoint == endpoint {
			return m, true
		}
	}
	return cluster.MemberHealth{}, false
}

func findID(h *cluster.Health, id uint64) (cluster.MemberHealth, bool) {
	for _, m := range h.Members {
		if m.ID == id {
			return m, true
		}
	}
	return cluster.MemberHealth{}, false
}
