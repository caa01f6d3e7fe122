package retention

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		policy  Policy
		wantErr string
		field   string
	}{
		{"default", DefaultPolicy(), "", ""},
		{"within only", Policy{KeepWithin: time.Hour}, "", ""},
		{"last only", Policy{KeepLast: 1}, "", ""},
		{"all zero", Policy{}, "retention: policy keeps nothing; set at least one keep_* rule", ""},
		{"zone alone keeps nothing", Policy{Location: paris}, ErrEmptyPolicy.Error(), ""},
		{"negative last", Policy{KeepLast: -1, KeepDaily: 3}, "keep_last: must be >= 0", "keep_last"},
		{"negative hourly", Policy{KeepHourly: -2}, "keep_hourly: must be >= 0", "keep_hourly"},
		{"negative daily", Policy{KeepDaily: -1}, "keep_daily: must be >= 0", "keep_daily"},
		{"negative weekly", Policy{KeepWeekly: -1}, "keep_weekly: must be >= 0", "keep_weekly"},
		{"negative monthly", Policy{KeepMonthly: -5}, "keep_monthly: must be >= 0", "keep_monthly"},
		{"negative within", Policy{KeepWithin: -time.Second}, "keep_within: must be >= 0", "keep_within"},
		{"first negative in config order", Policy{KeepMonthly: -1, KeepDaily: -1}, "keep_daily: must be >= 0", "keep_daily"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Fatalf("Validate() = %q, want %q", got, tc.wantErr)
			}
			field := ""
			var fe *FieldError
			if errors.As(err, &fe) {
				field = fe.Field
			}
			if field != tc.field {
				t.Fatalf("FieldError.Field = %q, want %q", field, tc.field)
			}
			if isEmpty := errors.Is(err, ErrEmptyPolicy); isEmpty != tc.policy.Empty() {
				t.Fatalf("errors.Is(ErrEmptyPolicy) = %v, Empty() = %v", isEmpty, tc.policy.Empty())
			}
		})
	}
}

func TestPolicyString(t *testing.T) {
	tests := []struct {
		policy Policy
		want   string
	}{
		{DefaultPolicy(), "keep_daily=30 keep_within=168h location=UTC"},
		{Policy{KeepLast: 4, KeepHourly: 24, KeepWeekly: 4, KeepMonthly: 12, Location: paris},
			"keep_last=4 keep_hourly=24 keep_weekly=4 keep_monthly=12 location=Europe/Paris"},
		{Policy{KeepWithin: 90 * time.Minute}, "keep_within=1h30m location=UTC"},
		{Policy{}, "location=UTC"},
	}
	for _, tc := range tests {
		if got := tc.policy.String(); got != tc.want {
			t.Fatalf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{168 * time.Hour, "168h"},
		{45 * time.Minute, "45m"},
		{90 * time.Minute, "1h30m"},
		{time.Hour + 30*time.Second, "1h0m30s"},
		{30 * time.Second, "30s"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tc := range tests {
		if got := formatDuration(tc.d); got != tc.want {
			t.Fatalf("formatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	in := history(every(time.UTC, "2026-11-01 00:00", 24*time.Hour, 10), 3)
	keep, remove := Split(Apply(in, Policy{KeepLast: 2}, time.Time{}))
	ids := func(bs []Backup) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	wantKeep := []string{in[9].ID, in[8].ID, in[3].ID}
	if got := ids(keep); !slices.Equal(got, wantKeep) {
		t.Fatalf("keep = %v, want %v", got, wantKeep)
	}
	if len(remove) != 7 || remove[0].ID != in[7].ID || remove[6].ID != in[0].ID {
		t.Fatalf("remove = %v, want 7 from %s down to %s", ids(remove), in[7].ID, in[0].ID)
	}
}

// A DST fall-back across midnight revisits a period after leaving it; the
// period must still be counted and kept once.
func TestKeepPeriodRevisited(t *testing.T) {
	days := []int{20261025, 20261024, 20261025, 20261024, 20261023}
	ds := make([]Decision, len(days))
	walls := make([]wall, len(days))
	for i, d := range days {
		walls[i] = wall{year: d / 10000, month: d / 100 % 100, day: d % 100}
	}
	daily := periods(Policy{KeepDaily: 3})[1]
	keepPeriod(ds, walls, daily)
	want := [][]string{{"daily 2026-10-25"}, {"daily 2026-10-24"}, nil, nil, {"daily 2026-10-23"}}
	for i := range ds {
		if !slices.Equal(ds[i].Reasons, want[i]) {
			t.Fatalf("decision %d: reasons %q, want %q", i, ds[i].Reasons, want[i])
		}
	}
}

func TestApplyDuplicateIDs(t *testing.T) {
	at := clock(time.UTC, "2026-11-20 10:00")
	b := Backup{ID: backupID(at, 7), Time: at}
	verified := b
	verified.Verified = true
	for _, in := range [][]Backup{{b, verified, b}, {verified, b}, {b, b, verified}} {
		ds := Apply(in, Policy{KeepLast: 1}, at)
		if len(ds) != 1 || !ds[0].Backup.Verified {
			t.Fatalf("Apply(%v) = %v, want one verified decision", in, ds)
		}
		want := []string{"last 1", ReasonNewest, ReasonNewestVerified}
		if !slices.Equal(ds[0].Reasons, want) {
			t.Fatalf("reasons %q, want %q", ds[0].Reasons, want)
		}
	}
}
