//go:build noxla

package compute

func xlaHint(name string) string {
	if name == "xla" {
		return "; this binary was built with -tags noxla"
	}
	return ""
}
