package check

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/etcd-backupd/etcd-backupd/verify"
)

// leftoverFindings reports what deep verifications (verify --deep, drills) killed mid-way left in
// the scratch dir: each a plain snapshot, and maybe a restored data dir, until the next deep
// verification there removes them. A killed restore or fetch leaves its own beside the path given
// on its command line, which check cannot know; the next restore or fetch to that path removes it.
func leftoverFindings(scratchDir string) []Finding {
	if scratchDir == "" {
		return nil
	}
	subj := "scratch dir " + scratchDir
	paths, err := verify.ScratchLeftovers(scratchDir)
	if errors.Is(err, fs.ErrPermission) {
		return []Finding{finding(OK, subj, "", "not looked into for leftovers (%v): run check as the "+
			"daemon's user to see them", err)}
	}
	if err != nil {
		return []Finding{finding(Warn, subj, "check verify.scratch_dir", "cannot look for leftovers: %v", err)}
	}
	if len(paths) == 0 {
		return nil
	}
	return []Finding{finding(Warn, subj, "run etcd-backupd verify latest --deep, which removes them "+
		"first, or remove them: rm -r "+strings.Join(paths, " "),
		"%d deep verification(s) killed mid-way left plaintext behind: %s", len(paths), strings.Join(paths, ", "))}
}

// add appends more to the report's findings, keeping them sorted and the result the worst.
func (r *Report) add(more ...Finding) {
	r.Findings = append(r.Findings, more...)
	sortFindings(r.Findings)
	r.Result = Worst(r.Findings)
}
