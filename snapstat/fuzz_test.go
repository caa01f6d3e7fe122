package snapstat_test

import "testing"

// FuzzScanner feeds mutations of a small real snapshot to the scanner, in one Write and in chunks. The
// scanner must not panic, must give the same answer however it is fed, and when it accepts an input,
// the library must accept it too and report the same fields. Plain go test runs the seeds.
func FuzzScanner(f *testing.F) {
	data := smallSnapshot(f)
	f.Add(data)
	f.Add(data[:2*pageSize])
	f.Fuzz(func(t *testing.T, data []byte) {
		var v verdict
		if v.scan, v.scanErr = scanTwice(t, data, uint64(len(data))+1); v.scanErr != nil {
			return // refusing more than the library is allowed; TestCorruptSnapshots reports it
		}
		v.lib, v.libErr = libraryChild(save(t, data))
		if v.bug() {
			t.Fatalf("%v", v)
		}
	})
}
