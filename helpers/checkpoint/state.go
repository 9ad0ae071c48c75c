package checkpoint

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gotl/gotl/helpers/limits"
	"github.com/gotl/gotl/internal/util"
)

// State is the content of a `checkpoint` state file (TensorFlow's
// CheckpointState text proto).
type State struct {
	ModelCheckpointPath     string   // the latest checkpoint prefix
	AllModelCheckpointPaths []string // the checkpoints still kept, oldest first
}

// StateFile is the name of the state file inside a checkpoint directory.
const StateFile = "checkpoint"

// ReadState parses dir/checkpoint.
func ReadState(dir string) (*State, error) {
	return readState(dir)
}

// WriteState writes dir/checkpoint naming modelCheckpointPath as the latest
// checkpoint and all as the kept ones (modelCheckpointPath is appended if
// missing). Paths inside dir are written relative to it, as TensorFlow does.
// The file is replaced atomically.
func WriteState(dir, modelCheckpointPath string, all []string) error {
	return writeState(dir, modelCheckpointPath, all)
}

// LatestCheckpoint returns the prefix named by dir/checkpoint, resolved
// against dir when relative, like tf.train.latest_checkpoint. It fails if
// the state file is missing or names a checkpoint whose files are absent.
func LatestCheckpoint(dir string) (string, error) {
	return latestCheckpoint(dir)
}

// IsCheckpoint reports whether path looks like something Open accepts: a V2
// prefix or .index file, a V1 table file or pattern, or a directory with a
// state file. It only checks names and magic numbers.
func IsCheckpoint(path string) bool {
	return isCheckpoint(path)
}

// maxStateBytes bounds the state file, a few lines of text per checkpoint.
const maxStateBytes = 16 << 20

func readState(dir string) (*State, error) {
	name := filepath.Join(dir, StateFile)
	data, err := limits.ReadFileMax(name, maxStateBytes)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: no checkpoint state in %s: %w", dir, err)
	}
	s := &State{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, val, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("checkpoint: %s:%d: expected `field: value`, got %q", name, line, text)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "model_checkpoint_path", "all_model_checkpoint_paths":
			p, err := unquoteText(val)
			if err != nil {
				return nil, fmt.Errorf("checkpoint: %s:%d: %s: %w", name, line, key, err)
			}
			if key == "model_checkpoint_path" {
				s.ModelCheckpointPath = p
			} else {
				s.AllModelCheckpointPaths = append(s.AllModelCheckpointPaths, p)
			}
		default: // timestamps and future fields
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", name, err)
	}
	if s.ModelCheckpointPath == "" {
		return nil, fmt.Errorf("checkpoint: %s has no model_checkpoint_path", name)
	}
	return s, nil
}

// unquoteText decodes a text-format protobuf string literal (C escapes,
// single or double quotes).
func unquoteText(v string) (string, error) {
	if len(v) < 2 || (v[0] != '"' && v[0] != '\'') || v[len(v)-1] != v[0] {
		return "", fmt.Errorf("expected a quoted string, got %s", v)
	}
	body := v[1 : len(v)-1]
	var out []byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(body) {
			return "", fmt.Errorf("dangling backslash in %s", v)
		}
		switch e := body[i]; e {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case '\\', '\'', '"':
			out = append(out, e)
		case 'x':
			j := i + 1
			for j < len(body) && j < i+3 && isHex(body[j]) {
				j++
			}
			x, err := strconv.ParseUint(body[i+1:j], 16, 8)
			if err != nil {
				return "", fmt.Errorf("bad \\x escape in %s", v)
			}
			out = append(out, byte(x))
			i = j - 1
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
					j++
				}
				x, _ := strconv.ParseUint(body[i:j], 8, 16)
				out = append(out, byte(x))
				i = j - 1
				continue
			}
			return "", fmt.Errorf("unknown escape \\%c in %s", e, v)
		}
	}
	return string(out), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// quoteText writes s as a text-format string literal, escaping quotes,
// backslashes and control bytes in octal (UTF-8 passes through).
func quoteText(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// relativeTo writes p relative to dir when it lies inside dir.
func relativeTo(dir, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(absDir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func writeState(dir, modelCheckpointPath string, all []string) error {
	if modelCheckpointPath == "" {
		return fmt.Errorf("checkpoint: WriteState: empty model checkpoint path")
	}
	latest := relativeTo(dir, modelCheckpointPath)
	var b strings.Builder
	fmt.Fprintf(&b, "model_checkpoint_path: %s\n", quoteText(latest))
	seen := false
	for _, p := range all {
		p = relativeTo(dir, p)
		seen = seen || p == latest
		fmt.Fprintf(&b, "all_model_checkpoint_paths: %s\n", quoteText(p))
	}
	if !seen {
		fmt.Fprintf(&b, "all_model_checkpoint_paths: %s\n", quoteText(latest))
	}
	return writeFileAtomic(filepath.Join(dir, StateFile), []byte(b.String()))
}

// tempName returns a unique temporary name next to final, as TensorFlow's
// ".tempstate<random>" files.
func tempName(final string) string {
	var r [8]byte
	rand.Read(r[:])
	return final + ".tempstate" + hex.EncodeToString(r[:])
}

func writeFileAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := util.WriteFileAtomic(name, data, 0o644); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func latestCheckpoint(dir string) (string, error) {
	s, err := readState(dir)
	if err != nil {
		return "", err
	}
	p := s.ModelCheckpointPath
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	if fileExists(p+".index") || fileExists(p) {
		return p, nil
	}
	if m, _ := filepath.Glob(p + shardWildcard); len(m) > 0 {
		return p, nil
	}
	return "", fmt.Errorf("checkpoint: %s names %q, but %s.index (V2) and %s (V1) are missing", filepath.Join(dir, StateFile), s.ModelCheckpointPath, p, p)
}
