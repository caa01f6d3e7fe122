package storage

import "testing"

func TestPartSize(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name   string
		scheme string
		base   int64
		hint   int64
		want   int64
	}{
		{"s3 default", "s3", 0, 0, 5 * mib},
		{"s3 configured", "s3", 64 * mib, 0, 64 * mib},
		{"s3 8 GiB db fits the default", "s3", 0, 8 * gib, 5 * mib},
		{"s3 24 GiB still fits the default", "s3", 0, 24 * gib, 5 * mib},
		{"s3 25 GiB is past the edge", "s3", 0, 25 * gib, 6 * mib},
		{"s3 39 GiB", "s3", 0, 39 * gib, 8 * mib},
		{"s3 40 GiB", "s3", 0, 40 * gib, 9 * mib},
		{"s3 100 GiB", "s3", 0, 100 * gib, 21 * mib},
		{"s3 hint below a large configured part", "s3", 64 * mib, 100 * gib, 64 * mib},
		{"s3 capped at 5 GiB", "s3", 0, 1 << 50, 5 * gib},
		{"azblob 100 GiB fits 50,000 blocks", "azblob", 0, 100 * gib, 5 * mib},
		{"azblob 1 TiB", "azblob", 0, 1024 * gib, 42 * mib},
		{"gs has no part limit", "gs", 0, 1024 * gib, 8 * mib},
		{"file ignores it", "file", 0, 1024 * gib, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := partSize(tc.scheme, tc.base, tc.hint)
			if got != tc.want {
				t.Fatalf("partSize(%s, %d, %d) = %d MiB, want %d MiB", tc.scheme, tc.base, tc.hint, got/mib, tc.want/mib)
			}
			if l := limits[tc.scheme]; l.maxParts > 0 && tc.hint > 0 && tc.hint < 1<<40 {
				if parts := 2 * tc.hint / got; parts > l.maxParts {
					t.Fatalf("twice the hint needs %d parts of %d bytes, above the limit %d", parts, got, l.maxParts)
				}
			}
		})
	}
}
