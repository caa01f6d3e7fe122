package snapstat

import (
	"encoding/binary"
	"fmt"
	"os"
)

// words is an array of uint64 held in chunks. With a spill directory, chunks beyond maxResident
// go to a file there, least recently used first, so that memory stays flat whatever the database
// size. Only page ids, offsets, lengths, CRCs, revisions and keyed fingerprints are ever stored
// here, never a value: nothing in the file tells what the database holds.
type words struct {
	chunk       uint64 // words per chunk
	maxResident int
	dir         string // "" keeps everything in memory
	n           uint64 // one past the highest index set
	chunks      map[uint64]*wchunk
	resident    []uint64 // ids of the chunks in memory
	clock       uint64
	file        *os.File // created on the first eviction, unlinked at once
	free        [][]uint64
	buf         []byte
	err         error
}

type wchunk struct {
	data    []uint64 // nil while only in the file
	onDisk  bool
	dirty   bool
	lastUse uint64
}

func newWords(chunk uint64, maxResident int, dir string) *words {
	return &words{chunk: chunk, maxResident: maxResident, dir: dir, chunks: map[uint64]*wchunk{}}
}

func (w *words) len() uint64 { return w.n }

// at returns the word at i; an index never set reads as 0.
func (w *words) at(i uint64) uint64 {
	c := w.load(i / w.chunk)
	if c == nil {
		return 0
	}
	return c.data[i%w.chunk]
}

func (w *words) set(i, v uint64) {
	c := w.load(i / w.chunk)
	if c == nil {
		c = w.create(i / w.chunk)
	}
	c.data[i%w.chunk], c.dirty = v, true
	w.n = max(w.n, i+1)
}

// push appends vs and returns the index of the first.
func (w *words) push(vs ...uint64) uint64 {
	start := w.n
	for k, v := range vs {
		w.set(start+uint64(k), v)
	}
	return start
}

// read appends the n words from i to dst.
func (w *words) read(dst []uint64, i, n uint64) []uint64 {
	for k := uint64(0); k < n; k++ {
		dst = append(dst, w.at(i+k))
	}
	return dst
}

// load returns chunk ci, resident, or nil if nothing was ever set in it.
func (w *words) load(ci uint64) *wchunk {
	c := w.chunks[ci]
	if c == nil {
		return nil
	}
	w.clock++
	c.lastUse = w.clock
	if c.data == nil {
		c.data = w.alloc()
		w.readChunk(ci, c.data)
		w.resident = append(w.resident, ci)
		w.evict(ci)
	}
	return c
}

func (w *words) create(ci uint64) *wchunk {
	w.clock++
	c := &wchunk{data: w.alloc(), lastUse: w.clock}
	w.chunks[ci] = c
	w.resident = append(w.resident, ci)
	w.evict(ci)
	return c
}

func (w *words) alloc() []uint64 {
	if n := len(w.free); n > 0 {
		d := w.free[n-1]
		w.free = w.free[:n-1]
		clear(d)
		return d
	}
	return make([]uint64, w.chunk)
}

// evict writes out the least recently used chunk, other than keep, beyond maxResident.
func (w *words) evict(keep uint64) {
	if w.dir == "" || len(w.resident) <= w.maxResident {
		return
	}
	oldest := -1
	for k, ci := range w.resident {
		if ci != keep && (oldest < 0 || w.chunks[ci].lastUse < w.chunks[w.resident[oldest]].lastUse) {
			oldest = k
		}
	}
	ci := w.resident[oldest]
	w.resident[oldest] = w.resident[len(w.resident)-1]
	w.resident = w.resident[:len(w.resident)-1]
	c := w.chunks[ci]
	if c.dirty || !c.onDisk {
		w.writeChunk(ci, c.data)
		c.onDisk, c.dirty = true, false
	}
	w.free = append(w.free, c.data)
	c.data = nil
}

func (w *words) writeChunk(ci uint64, data []uint64) {
	if w.err != nil {
		panic(w.err)
	}
	if w.file == nil {
		// Named like a spool file, so that the spool's cleanup takes one a crash left between
		// its creation and its unlinking.
		f, err := os.CreateTemp(w.dir, ".snapstat-*.db.part")
		if err != nil {
			w.err = fmt.Errorf("spill file: %w", err)
			panic(w.err)
		}
		os.Remove(f.Name()) // unlinked: a crash leaves nothing behind
		w.file = f
	}
	w.buf = w.buf[:0]
	for _, v := range data {
		w.buf = binary.LittleEndian.AppendUint64(w.buf, v)
	}
	if _, err := w.file.WriteAt(w.buf, int64(ci*w.chunk*8)); err != nil {
		w.err = fmt.Errorf("spill file: %w", err)
		panic(w.err)
	}
}

func (w *words) readChunk(ci uint64, data []uint64) {
	w.buf = append(w.buf[:0], make([]byte, len(data)*8)...)
	if _, err := w.file.ReadAt(w.buf, int64(ci*w.chunk*8)); err != nil {
		w.err = fmt.Errorf("spill file: %w", err)
		panic(w.err)
	}
	for k := range data {
		data[k] = binary.LittleEndian.Uint64(w.buf[k*8:])
	}
}

// close removes the spill file, if any.
func (w *words) close() {
	if w.file != nil {
		w.file.Close()
		w.file = nil
	}
}
