package snapstat

// NewTinySpill is a scanner whose spill chunks and live-count partitions are tiny, so that the
// differential tests' small databases go through the spill files and several partitions.
func NewTinySpill(dir string) *Scanner {
	s := newScanner(dir, 256)
	s.parts = 16
	return s
}
