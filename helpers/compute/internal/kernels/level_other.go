//go:build !amd64 || purego

package kernels

const (
	hasAVX2   = false
	hasAVX512 = false
)

var sets = map[Level]*Set{}
