package etcdtest

import (
	"io"
	"os"
	"testing"
)

// logTail is how much of a log file a failed test prints.
const logTail = 32 << 10

// logOnFailure prints the end of the log at path when the test has failed.
// Register it before the cleanup that stops the writer, so it runs after it.
func logOnFailure(t testing.TB, path string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("--- %s (last %d KiB) ---\n%s", path, logTail>>10, tail(path, logTail))
	})
}

// tail returns up to the last n bytes of the file at path.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "open log: " + err.Error()
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		if _, err := f.Seek(-n, io.SeekEnd); err != nil {
			return "seek log: " + err.Error()
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return "read log: " + err.Error()
	}
	return string(b)
}
