package graphfile

import (
	"bytes"
	"fmt"

	"github.com/gotl/gotl/helpers/limits"
)

// checkTextDepth refuses a text-format protobuf whose messages ({…} or
// <…>) nest deeper than limit. protobuf-go's text parser has no recursion
// limit: it recurses once per level, so "z{" repeated a million times (6 MB)
// exhausts the 1 GB goroutine stack and kills the process. The scan is
// linear, allocates nothing, and skips what the parser's tokenizer skips:
// quoted strings (with backslash escapes; a newline ends them, as it makes
// the parser fail) and # comments. Up to the first syntax error it sees the
// same braces the parser would, so no parse gets deeper than the scan.
func checkTextDepth(data []byte, limit int) error {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '<':
			if depth++; depth > limit {
				line := 1 + bytes.Count(data[:i], []byte{'\n'})
				col := i - bytes.LastIndexByte(data[:i], '\n')
				return &limits.ExceededError{Limit: limits.ProtoDepth, Value: int64(depth),
					What: fmt.Sprintf("message nesting at line %d:%d", line, col)}
			}
		case '}', '>':
			depth = max(depth-1, 0) // unbalanced input is the parser's to report
		case '#':
			if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
				i += j
			} else {
				return nil
			}
		case '"', '\'':
			quote := data[i]
			for i++; i < len(data) && data[i] != quote && data[i] != '\n'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		}
	}
	return nil
}
