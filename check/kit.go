package check

import (
	"time"

	"github.com/etcd-backupd/etcd-backupd/kit"
)

const actionKit = "fix kit.paths and kit.encryption_config: each file must exist on this node and be readable by " +
	"the daemon's user (see the setfacl lines in etcd-backupd.service); then take a backup with etcd-backupd run-once"

// kitFindings judges the restore kit when kit.enabled: whether this node can collect it now,
// whether its certificates hold, and whether the newest backup at each destination carries one.
func kitFindings(o Options, dests []DestinationState, now time.Time) []Finding {
	if o.Kit == nil {
		return nil
	}
	const subj = "restore kit"
	k, err := kit.Collect(*o.Kit)
	if err != nil {
		return []Finding{finding(Warn, subj, actionKit, "cannot be collected on this node, so backups taken "+
			"here are committed without one: %v", err)}
	}
	var out []Finding
	for _, f := range k.CheckCerts(now) {
		sev := Warn
		if f.Severity == kit.SeverityError {
			sev = Critical
		}
		out = append(out, finding(sev, subj, "renew or replace the certificate; a restore with this kit "+
			"would bring it back as it is", "%s: %s", f.Path, f.Msg))
	}
	for _, st := range dests {
		if st.Newest != "" && !st.NewestKit {
			out = append(out, finding(Warn, "backups at "+st.URL, actionKit,
				"the newest backup %s has no restore kit", st.Newest))
		}
	}
	if len(out) == 0 {
		enc := "no EncryptionConfiguration (Secrets are not encrypted at rest, or kit.encryption_config is empty)"
		if k.EncryptionConfig != "" {
			enc = "the API server's EncryptionConfiguration " + k.EncryptionConfig
		}
		out = append(out, finding(OK, subj, "", "%d files collectable on this node, with %s; its certificates "+
			"chain to its CA", len(k.Files), enc))
	}
	return out
}
