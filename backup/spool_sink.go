package backup

import (
	"fmt"
	"os"
)

// spoolSink writes the stored stream to the spool file in its own goroutine, so that a destination
// that failed can be sent the same bytes again. The file is not fsynced: it is only read back by this
// process, and a crash leaves a leftover that the next start removes.
func spoolSink(f *os.File) *sink {
	return newSink(destQueue, func(b []byte) error { return spoolWrite(f, b) }, nil)
}

// spoolWriteHook, when set by tests, fails spool writes with its error.
var spoolWriteHook func() error

func spoolWrite(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil && spoolWriteHook != nil {
		err = spoolWriteHook()
	}
	if err != nil {
		return fmt.Errorf("spool %s: %w", f.Name(), err)
	}
	return nil
}
