//go:build !noxla

package compute

import "github.com/gomlx/gomlx/backends/xla"

func init() {
	// gotl never downloads plugins implicitly (notebooks and tests must work
	// offline); `gotl xla-install` is the explicit way.
	xla.EnableAutoInstall(false)
}

func xlaHint(string) string { return "" }
