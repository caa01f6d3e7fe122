package backup

import (
	"bytes"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestEncoderLevel(t *testing.T) {
	cases := []struct {
		level string
		want  zstd.EncoderLevel
	}{
		{"", zstd.SpeedFastest},
		{"fastest", zstd.SpeedFastest},
		{"default", zstd.SpeedDefault},
		{"better", zstd.SpeedBetterCompression},
		{"best", zstd.SpeedBestCompression},
	}
	for _, tc := range cases {
		got, err := zstdLevel(tc.level)
		if err != nil || got != tc.want {
			t.Fatalf("zstdLevel(%q) = %v, %v; want %v", tc.level, got, err, tc.want)
		}
	}
}

func TestEncoderUnknownLevel(t *testing.T) {
	_, err := newEncoder(&bytes.Buffer{}, &Options{Compression: "zstd", CompressionLevel: "max"})
	if err == nil || !strings.Contains(err.Error(), `compression_level "max"`) {
		t.Fatalf("newEncoder error = %v; want it to name compression_level", err)
	}
}
