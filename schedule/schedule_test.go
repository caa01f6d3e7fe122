package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	from := time.Date(2026, 3, 1, 10, 20, 0, 0, time.UTC)
	cases := []struct {
		spec     string
		zone     string
		wantNext time.Time
	}{
		{"@hourly", "UTC", time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)},
		{"  @hourly ", "UTC", time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)},
		{"*/15 * * * *", "UTC", time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)},
		{"0 2 * * *", "UTC", time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Europe/Paris 0 2 * * *", "Europe/Paris", time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)},
		{"TZ=America/New_York @daily", "America/New_York", time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Asia/Tokyo\t@monthly", "Asia/Tokyo", time.Date(2026, 3, 31, 15, 0, 0, 0, time.UTC)},
		{"@every 15m", "UTC", from.Add(15 * time.Minute)},
		{"0 0 29 2 *", "UTC", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			s, loc, err := Parse(tc.spec)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.spec, err)
			}
			if loc.String() != tc.zone {
				t.Fatalf("zone = %s, want %s", loc, tc.zone)
			}
			if got := s.Next(from); !got.Equal(tc.wantNext) {
				t.Fatalf("Next(%s) = %s, want %s", from, got.UTC(), tc.wantNext)
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
		{"", "empty schedule"},
		{"CRON_TZ=UTC", "no schedule after the time zone"},
		{"TZ=UTC TZ=UTC @daily", "time zone given twice"},
		{"CRON_TZ= @daily", "name a time zone"},
		{"CRON_TZ=Local @daily", "name a time zone"},
		{"TZ=../../etc/passwd @daily", "unknown time zone"},
		{"@reboot", "unrecognized descriptor"},
		{"61 * * * *", "above maximum"},
		{"* * * * * *", "expected exactly 5 fields"},
		{"*/0 * * * *", "step of range should be a positive number"},
		{"0 0 31 4 *", `"0 0 31 4 *" never fires`},
		{"CRON_TZ=Europe/Paris 0 0 30 2 *", "never fires"},
		{"@every -5m", "@every needs a duration of at least 1s"},
		{"@every 500ms", "@every needs a duration of at least 1s"},
		{"@every soon", "@every needs a duration of at least 1s"},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			_, _, err := Parse(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%q) error = %v; want it to contain %q", tc.spec, err, tc.want)
			}
		})
	}
}
