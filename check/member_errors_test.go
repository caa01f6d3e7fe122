package check

import (
	"slices"
	"testing"
)

func TestErrorSummary(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, nil},
		{"alarms of every member once", []string{"memberID:123 alarm:NOSPACE ", "memberID:456  alarm:NOSPACE",
			"memberID:456 alarm:CORRUPT"}, []string{"alarm:NOSPACE", "alarm:CORRUPT"}},
		{"other errors folded on one line", []string{"context deadline\n exceeded", "context deadline exceeded"},
			[]string{"context deadline exceeded"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorSummary(c.in); !slices.Equal(got, c.want) {
				t.Fatalf("ErrorSummary(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
