package check

import (
	"fmt"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/cluster"
)

// alarmFindings reports every active alarm. Each one is critical. remediate is
// maintenance.nospace: remediate, which changes what the operator must do about NOSPACE.
func alarmFindings(h *cluster.Health, remediate bool) []Finding {
	if len(h.Alarms) == 0 {
		if h.AlarmErr != nil {
			return []Finding{finding(Warn, "alarms", "run etcdctl alarm list once the cluster has a quorum",
				"cannot list alarms and no member reports one: %v", h.AlarmErr)}
		}
		return []Finding{finding(OK, "alarms", "", "no active alarm")}
	}
	byType := map[string][]string{}
	var types []string
	for _, a := range h.Alarms {
		if byType[a.Type] == nil {
			types = append(types, a.Type)
		}
		byType[a.Type] = append(byType[a.Type], memberName(h, a.MemberID))
	}
	var out []Finding
	for _, t := range types {
		on := strings.Join(byType[t], ", ")
		switch t {
		case cluster.AlarmNoSpace:
			out = append(out, finding(Critical, "alarm NOSPACE", noSpaceAction(remediate), "raised on %s: the database reached "+
				"its quota; etcd accepts only reads and deletes, Kubernetes cannot change anything", on))
		case cluster.AlarmCorrupt:
			out = append(out, finding(Critical, "alarm CORRUPT", "stop the corrupt member, remove it "+
				"(etcdctl member remove <id>) and add it back with an empty data dir; if every member is corrupt, "+
				"restore the latest verified backup (etcd-backupd restore latest --data-dir ...)",
				"raised on %s: the data of the member(s) differs from the others", on))
		default:
			out = append(out, finding(Critical, "alarm "+t, "read the etcd logs of the member(s), then "+
				"etcdctl alarm disarm once the cause is fixed", "raised on %s", on))
		}
	}
	return out
}

// noSpaceAction says who recovers NOSPACE: the elected daemon, or the operator.
func noSpaceAction(remediate bool) string {
	if remediate {
		return "the elected daemon is recovering it (maintenance.nospace: remediate): watch its logs; " +
			"if it cannot win space back it says what must grow or be deleted"
	}
	return "set maintenance.nospace: remediate, or run etcd-backupd maintain --nospace, or follow the " +
		"NOSPACE runbook below: compact, defragment every member, disarm"
}

// memberName names a member by ID, falling back to the hex ID etcdctl prints.
func memberName(h *cluster.Health, id uint64) string {
	for _, m := range h.Members {
		if m.ID == id && m.Name != "" {
			return fmt.Sprintf("%s (%x)", m.Name, id)
		}
	}
	return fmt.Sprintf("%x", id)
}
