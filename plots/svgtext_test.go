package plots

import (
	"encoding/xml"
	"io"
)

// xmlEscapeTo writes s as SVG text content is escaped by the SVG backend.
func xmlEscapeTo(w io.Writer, s string) error { return xml.EscapeText(w, []byte(s)) }
