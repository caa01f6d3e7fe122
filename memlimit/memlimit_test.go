package memlimit

import (
	"math"
	"testing"
)

func TestHold(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	var got []int64
	orig := set
	set = func(l int64) int64 { got = append(got, l); return 0 }
	defer func() { set = orig }()
	last := func() int64 { return got[len(got)-1] }

	b1 := Hold(Backup)
	if last() != Backup {
		t.Fatalf("one backup: limit %d", last())
	}
	d := Hold(None)
	if last() != math.MaxInt64 {
		t.Fatalf("a backup and a drill: limit %d, want none", last())
	}
	b2 := Hold(Backup)
	d()
	if last() != Backup {
		t.Fatalf("two backups after the drill: limit %d", last())
	}
	b1()
	b2()
	if last() != math.MaxInt64 {
		t.Fatalf("nothing running: limit %d, want none", last())
	}

	t.Setenv("GOMEMLIMIT", "100MiB")
	n := len(got)
	Hold(Backup)()
	if len(got) != n {
		t.Fatal("the limit was changed although GOMEMLIMIT is set")
	}
}
