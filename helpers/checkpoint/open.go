package checkpoint

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gotl/gotl/helpers/checkpoint/internal/table"
	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/util"
)

var (
	shardSuffix   = regexp.MustCompile(`-(\d{5})-of-(\d{5})$`)
	v2DataSuffix  = regexp.MustCompile(`\.data-\d{5}-of-\d{5}$`)
	shardWildcard = "-?????-of-?????"
)

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// hasTableMagic reports whether p is a regular file ending in the table
// magic number.
func hasTableMagic(p string) bool {
	f, size, err := limits.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	if size < table.FooterSize {
		return false
	}
	var m [8]byte
	if _, err := f.ReadAt(m[:], size-8); err != nil {
		return false
	}
	return binary.LittleEndian.Uint64(m[:]) == table.Magic
}

// resolved is what a path names.
type resolved struct {
	format string
	path   string   // V2 prefix or V1 file/pattern
	files  []string // V1 files
}

func resolve(path string) (resolved, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		// A state file that is not a regular file (a FIFO, a link to a
		// device) is an error from latestCheckpoint, not a missing file.
		if _, err := os.Stat(filepath.Join(path, StateFile)); err == nil {
			p, err := latestCheckpoint(path)
			if err != nil {
				return resolved{}, err
			}
			return resolve(p)
		}
		// No state file: a SavedModel directory, its variables/ directory,
		// or a directory holding exactly one V2 checkpoint.
		if fileExists(filepath.Join(path, "variables", "variables.index")) {
			return resolve(filepath.Join(path, "variables", "variables"))
		}
		if idx, _ := filepath.Glob(filepath.Join(path, "*.index")); len(idx) == 1 {
			return resolve(idx[0])
		} else if len(idx) > 1 {
			return resolved{}, fmt.Errorf("checkpoint: %s has no %s state file and %d checkpoints (%s, …): name one", path, StateFile, len(idx), filepath.Base(idx[0]))
		}
		return resolved{}, fmt.Errorf("checkpoint: %s: no %s state file and no checkpoint in the directory", path, StateFile)
	}
	prefix := path
	switch {
	case strings.HasSuffix(path, ".index"):
		prefix = strings.TrimSuffix(path, ".index")
	case v2DataSuffix.MatchString(path):
		prefix = v2DataSuffix.ReplaceAllString(path, "")
	case strings.HasSuffix(path, ".meta") && !fileExists(path+".index"):
		prefix = strings.TrimSuffix(path, ".meta") // tf.train.Saver's graph file, next to the checkpoint
	}
	if fileExists(prefix + ".index") {
		return resolved{format: FormatV2, path: prefix}, nil
	}
	// V1: a single file, an explicit glob, one shard of a sharded set, or a
	// prefix whose shards are prefix-?????-of-?????.
	pattern := ""
	switch {
	case strings.ContainsAny(path, "*?["):
		pattern = path
	case shardSuffix.MatchString(path):
		m := shardSuffix.FindStringSubmatch(path)
		pattern = shardSuffix.ReplaceAllString(path, "") + "-?????-of-" + m[2]
	case fileExists(path):
		if filepath.Base(path) == StateFile && !hasTableMagic(path) {
			return resolve(filepath.Dir(path)) // the state file itself
		}
		if !hasTableMagic(path) {
			return resolved{}, fmt.Errorf("checkpoint: %s: not a checkpoint (no V1 table magic number, and no %s.index)", path, path)
		}
		return resolved{format: FormatV1, path: path, files: []string{path}}, nil
	default:
		if m, _ := filepath.Glob(path + shardWildcard); len(m) > 0 {
			pattern = path + shardWildcard
		}
	}
	if pattern == "" {
		return resolved{}, fmt.Errorf("checkpoint: no checkpoint at %s (no .index file, V1 file or %s shards there)", path, shardWildcard)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return resolved{}, fmt.Errorf("checkpoint: bad pattern %s: %w", pattern, err)
	}
	if len(files) == 0 {
		return resolved{}, fmt.Errorf("checkpoint: no files match %s", pattern)
	}
	sort.Strings(files)
	// Every shard of a -NNNNN-of-MMMMM set must be present.
	if m := shardSuffix.FindStringSubmatch(files[0]); m != nil {
		var total int
		fmt.Sscanf(m[2], "%d", &total)
		base := shardSuffix.ReplaceAllString(files[0], "")
		for i := 0; i < total; i++ {
			want := fmt.Sprintf("%s-%05d-of-%05d", base, i, total)
			if !fileExists(want) {
				return resolved{}, fmt.Errorf("checkpoint: missing V1 shard %s (of %d)", want, total)
			}
		}
	}
	return resolved{format: FormatV1, path: pattern, files: files}, nil
}

func open(path string) (*Reader, error) {
	res, err := resolve(path)
	if err != nil {
		return nil, err
	}
	var r *Reader
	if res.format == FormatV2 {
		r, err = openV2(res.path)
	} else {
		r, err = openV1(res.path, res.files)
	}
	if err != nil {
		return nil, err
	}
	r.names = make([]string, 0, len(r.vars))
	for n := range r.vars {
		r.names = append(r.names, n)
	}
	sort.Strings(r.names)
	return r, nil
}

// IsV2FileName reports whether name is that of one of a V2 checkpoint's
// files: its .index or a data shard (.data-00000-of-00001).
func IsV2FileName(name string) bool {
	return strings.HasSuffix(name, ".index") || v2DataSuffix.MatchString(name)
}

func isCheckpoint(path string) bool {
	_, err := resolve(path)
	return err == nil
}

// notFound builds the error for an unknown tensor name, suggesting the
// closest names.
func (r *Reader) notFound(name string) error {
	s := suggest(name, r.names, 3)
	if len(s) == 0 {
		return fmt.Errorf("%w: %q in %s", ErrNotFound, name, r.path)
	}
	return fmt.Errorf("%w: %q in %s (did you mean %s?)", ErrNotFound, name, r.path, strings.Join(quoteAll(s), ", "))
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// suggest returns up to limit names closest to name: names containing it or
// contained in it first, then by edit distance (only reasonably close ones).
func suggest(name string, names []string, limit int) []string {
	type cand struct {
		n    string
		dist int
	}
	var cs []cand
	lname := strings.ToLower(name)
	maxDist := max(3, len(name)/3)
	for _, n := range names {
		ln := strings.ToLower(n)
		d := util.EditDistance(lname, ln, maxDist)
		if lname != "" && (strings.Contains(ln, lname) || strings.HasSuffix(lname, ln)) {
			d = min(d, 1+abs(len(ln)-len(lname))/8)
		}
		if d <= maxDist {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].dist < cs[j].dist })
	var out []string
	for i := 0; i < len(cs) && i < limit; i++ {
		out = append(out, cs[i].n)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
