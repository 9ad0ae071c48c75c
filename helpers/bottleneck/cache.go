package bottleneck

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/util"
)

// Key identifies what produced a set of bottleneck vectors: every entry of
// a cache namespace shares one Key.
type Key struct {
	Model      string // model fingerprint, e.g. Fingerprint(graphBytes)
	Tensor     string // bottleneck tensor name, e.g. "pool_3/_reshape:0"
	Preprocess string // dataset.Preprocess.String()
}

// namespace is the hex SHA-256 of the key's parts, length-prefixed so that
// no two different keys collide by concatenation.
func (k Key) namespace() string {
	h := sha256.New()
	for _, s := range []string{"gotl-bottleneck-v1", k.Model, k.Tensor, k.Preprocess} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint is the model fingerprint of a serialized graph (or any model
// file): the hex SHA-256 of its bytes.
func Fingerprint(modelBytes []byte) string {
	s := sha256.Sum256(modelBytes)
	return hex.EncodeToString(s[:])
}

// ContentHash is the SHA-256 of an image file's bytes, the per-image part of
// a cache key.
type ContentHash [32]byte

// HashContent returns the content hash of data.
func HashContent(data []byte) ContentHash { return sha256.Sum256(data) }

// Stats counts cache events since Open (or ResetStats).
type Stats struct {
	Hits    int64 // entries read and verified
	Misses  int64 // entries absent, plus corrupt ones
	Corrupt int64 // entries present but unreadable (bad checksum, truncated, misfiled)
	Writes  int64 // entries written
	// StaleTemps counts temporary files of killed writers removed (see
	// Put).
	StaleTemps int64
}

func (s Stats) String() string {
	out := fmt.Sprintf("%d hits, %d misses (%d corrupt), %d written", s.Hits, s.Misses, s.Corrupt, s.Writes)
	if s.StaleTemps > 0 {
		out += fmt.Sprintf(", %d stale temporary files removed", s.StaleTemps)
	}
	return out
}

// Cache is a persistent bottleneck cache in a directory. It is safe for
// concurrent use by goroutines and by several processes.
type Cache struct {
	dir                                       string
	hits, misses, corrupt, writes, staleTemps atomic.Int64
	swept                                     sync.Map // directories Put has removed stale temporary files from
}

// Open opens (creating if needed) a cache directory.
func Open(dir string) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("bottleneck: empty cache directory name")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bottleneck: cache directory: %w", err)
	}
	return &Cache{dir: dir}, nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Corrupt: c.corrupt.Load(), Writes: c.writes.Load(), StaleTemps: c.staleTemps.Load()}
}

// ResetStats zeroes the counters.
func (c *Cache) ResetStats() {
	c.hits.Store(0)
	c.misses.Store(0)
	c.corrupt.Store(0)
	c.writes.Store(0)
	c.staleTemps.Store(0)
}

// entry file layout (little-endian):
//
//	magic "gotlbn1\n" | entry id [32]byte | n uint32 | n × float32 | CRC-32C uint32
//
// The entry id is SHA-256(namespace ‖ content hash); the CRC covers all
// preceding bytes.
const (
	magic       = "gotlbn1\n"
	headerSize  = len(magic) + 32 + 4
	maxVector   = 1 << 24 // floats per vector; far above any real bottleneck
	trailerSize = 4
	maxEntry    = int64(headerSize + 4*maxVector + trailerSize)
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func entryID(ns string, h ContentHash) [32]byte {
	return sha256.Sum256(append([]byte(ns), h[:]...))
}

// Path is the file that holds, or would hold, the entry of the image with
// content hash h under key k: for looking at the cache, or damaging an
// entry on purpose to see it recomputed.
func (c *Cache) Path(k Key, h ContentHash) string { return c.path(k.namespace(), h) }

func (c *Cache) path(ns string, h ContentHash) string {
	hx := hex.EncodeToString(h[:])
	return filepath.Join(c.dir, ns[:16], hx[:2], hx+".bn")
}

// Get returns the cached vector for the image with content hash h under
// key k. A missing or invalid entry returns ok=false (and counts as a miss;
// invalid ones also as corrupt). Entries are read as regular files only, so
// a FIFO or device in the cache is a corrupt entry, not a hang.
func (c *Cache) Get(k Key, h ContentHash) (v []float32, ok bool) {
	ns := k.namespace()
	data, err := limits.ReadFileMax(c.path(ns, h), maxEntry)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.corrupt.Add(1)
		}
		c.misses.Add(1)
		return nil, false
	}
	v, err = decodeEntry(data, entryID(ns, h))
	if err != nil {
		c.corrupt.Add(1)
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return v, true
}

func decodeEntry(data []byte, id [32]byte) ([]float32, error) {
	if len(data) < headerSize+trailerSize || string(data[:len(magic)]) != magic {
		return nil, errors.New("bottleneck: cache entry too short or bad magic")
	}
	if [32]byte(data[len(magic):len(magic)+32]) != id {
		return nil, errors.New("bottleneck: cache entry belongs to another key")
	}
	n := binary.LittleEndian.Uint32(data[len(magic)+32:])
	if n > maxVector || len(data) != headerSize+int(n)*4+trailerSize {
		return nil, fmt.Errorf("bottleneck: cache entry length %d does not match %d floats", len(data), n)
	}
	body := data[:len(data)-trailerSize]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(body):]) {
		return nil, errors.New("bottleneck: cache entry checksum mismatch")
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[headerSize+4*i:]))
	}
	if i := util.FirstNonFinite(v); i >= 0 {
		// Put refuses these; an entry holding one was not written by it.
		return nil, fmt.Errorf("bottleneck: cache entry value %d is %v", i, v[i])
	}
	return v, nil
}

func encodeEntry(id [32]byte, v []float32) []byte {
	buf := make([]byte, headerSize+4*len(v)+trailerSize)
	copy(buf, magic)
	copy(buf[len(magic):], id[:])
	binary.LittleEndian.PutUint32(buf[len(magic)+32:], uint32(len(v)))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[headerSize+4*i:], math.Float32bits(x))
	}
	body := buf[:len(buf)-trailerSize]
	binary.LittleEndian.PutUint32(buf[len(body):], crc32.Checksum(body, castagnoli))
	return buf
}

// Put stores v for content hash h under key k, atomically: the entry is
// written to a temporary file in the same directory and renamed over any
// previous one, so concurrent readers and writers see a whole entry or none.
// Vectors holding NaN or ±Inf are refused: they would poison every training
// run that reads them.
//
// The first Put of a process into a directory of the cache also removes the
// temporary files that writers killed mid-write left there
// (util.RemoveStaleTemps: files unmodified for util.StaleTempAge whose lock
// no live writer holds), so the cost of cleaning follows the cost of
// writing and reads never pay it.
func (c *Cache) Put(k Key, h ContentHash, v []float32) error {
	if len(v) == 0 || len(v) > maxVector {
		return fmt.Errorf("bottleneck: cannot cache a vector of %d floats", len(v))
	}
	if i := util.FirstNonFinite(v); i >= 0 {
		return fmt.Errorf("bottleneck: cannot cache a vector whose value %d is %v", i, v[i])
	}
	ns := k.namespace()
	p := c.path(ns, h)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("bottleneck: %w", err)
	}
	c.sweep(filepath.Dir(p))
	c.sweep(filepath.Join(c.dir, ns[:16]))
	if err := c.describe(ns, k); err != nil {
		return err
	}
	if err := writeAtomic(p, encodeEntry(entryID(ns, h), v)); err != nil {
		return err
	}
	c.writes.Add(1)
	return nil
}

// describe writes <ns>/key.json once, so a person browsing the cache can see
// which model, tensor and preprocessing a namespace holds.
func (c *Cache) describe(ns string, k Key) error {
	p := filepath.Join(c.dir, ns[:16], "key.json")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	data, _ := json.MarshalIndent(map[string]string{
		"model_fingerprint": k.Model, "bottleneck_tensor": k.Tensor, "preprocess": k.Preprocess, "namespace": ns,
	}, "", "  ")
	return writeAtomic(p, append(data, '\n'))
}

// writeAtomic writes a cache entry or a text bottleneck. Entries carry a
// checksum and are recomputed when damaged, so they are not synced to disk:
// that would cost more than the forward pass of a small network.
func writeAtomic(path string, data []byte) error {
	if err := util.WriteFileAtomicNoSync(path, data, 0o644); err != nil {
		return fmt.Errorf("bottleneck: %w", err)
	}
	return nil
}

// sweep removes stale temporary files from dir, once per Cache.
func (c *Cache) sweep(dir string) {
	if _, done := c.swept.LoadOrStore(dir, true); done {
		return
	}
	n, _ := util.RemoveStaleTemps(dir, util.StaleTempAge) // best effort: leftovers cost only disk space
	c.staleTemps.Add(int64(n))
}

// Len counts the entries stored under key k.
func (c *Cache) Len(k Key) (int, error) {
	n := 0
	root := filepath.Join(c.dir, k.namespace()[:16])
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && filepath.Ext(p) == ".bn" {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bottleneck: %w", err)
	}
	return n, nil
}

// HashFile returns the content hash of the regular file at path.
func HashFile(path string) (ContentHash, error) {
	data, err := limits.ReadFile(path)
	if err != nil {
		return ContentHash{}, fmt.Errorf("bottleneck: %w", err)
	}
	return HashContent(data), nil
}
