package nb

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/png"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// output is where display data goes. It is a variable so that tests can
// capture what would be sent to the kernel; inNotebook says whether a GoNB
// kernel started this program.
var (
	inNotebook = gonbui.IsNotebook
	output     = gonbui.SendData
)

// IsNotebook reports whether the program was started by a GoNB kernel, that
// is whether Display* calls reach a notebook.
func IsNotebook() bool { return inNotebook }

func send(mime protocol.MIMEType, content any, displayID string) {
	if !inNotebook {
		return
	}
	output(&protocol.DisplayData{
		Data:      map[protocol.MIMEType]any{mime: content},
		DisplayID: displayID,
	})
	if displayID == "" {
		// Wait until GoNB has the output: a cell's program often ends right
		// after its last display, and GoNB can drop what is still in the
		// pipe when the program exits. In-place updates (frequent, and
		// superseded by the next one) do not wait.
		gonbui.Sync()
	}
}

// DisplayHTML shows html as a text/html output of the running cell.
func DisplayHTML(html string) { send(protocol.MIMETextHTML, html, "") }

// DisplayMarkdown shows markdown (with $…$ LaTeX) as a text/markdown output.
func DisplayMarkdown(markdown string) { send(protocol.MIMETextMarkdown, markdown, "") }

// DisplayPNG shows an encoded PNG image as an image/png output.
func DisplayPNG(png []byte) { send(protocol.MIMEImagePNG, png, "") }

// DisplaySVG shows an SVG document as an image/svg+xml output.
//
// Unlike gonbui.DisplaySvg, which wraps the SVG in text/html, this sends the
// real SVG MIME type, so the notebook stores an image that tools recognise
// as one.
func DisplaySVG(svg string) { send(protocol.MIMEImageSVG, svg, "") }

// DisplayImage encodes img as PNG and shows it.
func DisplayImage(img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("nb: encoding image as PNG: %w", err)
	}
	DisplayPNG(buf.Bytes())
	return nil
}

// TableHTML returns an HTML table with an optional header row (nil for none).
// All text is HTML-escaped. Rows may have different lengths. Columns whose
// cells all read as numbers ("0.91", "-3", "99.3% [98.5–99.7]") are
// right-aligned so that digits line up; the others are left-aligned
// (Jupyter's default right-aligns every cell, which makes names ragged).
func TableHTML(header []string, rows [][]string) string {
	numeric := NumericColumns(rows)
	align := func(col int) string {
		if col < len(numeric) && numeric[col] {
			return ` style="text-align:right"`
		}
		return ` style="text-align:left"`
	}
	var b strings.Builder
	b.WriteString("<table>\n")
	if len(header) > 0 {
		b.WriteString("<thead><tr>")
		for i, h := range header {
			b.WriteString("<th" + align(i) + ">" + html.EscapeString(h) + "</th>")
		}
		b.WriteString("</tr></thead>\n")
	}
	b.WriteString("<tbody>\n")
	for _, row := range rows {
		b.WriteString("<tr>")
		for i, cell := range row {
			b.WriteString("<td" + align(i) + ">" + html.EscapeString(cell) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>")
	return b.String()
}

// NumericColumns reports, per column, whether every non-empty cell in it
// starts like a number and at least one cell is non-empty: the columns
// TableHTML right-aligns. Tables built elsewhere (in a browser, say) align
// by it too.
func NumericColumns(rows [][]string) []bool {
	var numeric, seen []bool
	for _, row := range rows {
		for len(numeric) < len(row) {
			numeric, seen = append(numeric, true), append(seen, false)
		}
		for i, cell := range row {
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			seen[i] = true
			numeric[i] = numeric[i] && looksNumeric(cell)
		}
	}
	for i := range numeric {
		numeric[i] = numeric[i] && seen[i]
	}
	return numeric
}

// looksNumeric reports whether s starts with a number: an optional sign or
// "−", then a digit or a decimal point followed by one. NaN and ±Inf, as
// strconv and fmt write them, count too.
func looksNumeric(s string) bool {
	switch s {
	case "NaN", "+Inf", "-Inf", "Inf":
		return true
	}
	s = strings.TrimLeft(s, "+-−")
	s = strings.TrimPrefix(s, ".")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// DisplayTable shows rows as an HTML table with an optional header (nil for
// none). See TableHTML.
func DisplayTable(header []string, rows [][]string) { DisplayHTML(TableHTML(header, rows)) }

// Cell is one output of the running notebook cell whose content can be
// replaced in place, e.g. a status line or a chart redrawn every epoch. The
// output is created by the first update. Outside a notebook updates do
// nothing.
type Cell struct {
	id string
}

// NewCell returns a Cell with a fresh display id.
func NewCell() *Cell { return &Cell{id: "gotl_" + UniqueID()} }

// ID returns the Jupyter display id of the cell's output.
func (c *Cell) ID() string { return c.id }

// UpdateHTML replaces the cell's content with html.
func (c *Cell) UpdateHTML(html string) { send(protocol.MIMETextHTML, html, c.id) }

// UpdateMarkdown replaces the cell's content with markdown.
func (c *Cell) UpdateMarkdown(markdown string) { send(protocol.MIMETextMarkdown, markdown, c.id) }

// UpdatePNG replaces the cell's content with an encoded PNG image.
func (c *Cell) UpdatePNG(png []byte) { send(protocol.MIMEImagePNG, png, c.id) }

// UpdateSVG replaces the cell's content with an SVG document.
func (c *Cell) UpdateSVG(svg string) { send(protocol.MIMEImageSVG, svg, c.id) }

// Clear empties the cell's output.
func (c *Cell) Clear() { c.UpdateHTML("") }

// UniqueID returns a fresh identifier, e.g. for an HTML element id.
func UniqueID() string { return gonbui.UniqueId() }

// UpdateHTML shows html in the output with the given display id, creating it
// on first use and replacing it afterwards (GoNB's UpdateHtml). Cell wraps
// the same mechanism with a generated id.
func UpdateHTML(displayID, html string) { send(protocol.MIMETextHTML, html, displayID) }

// Sync waits until everything displayed so far has reached the kernel. Call
// it before a program that displayed something exits early (os.Exit); GoNB
// otherwise flushes pending output when the cell's program ends normally.
func Sync() {
	if inNotebook {
		gonbui.Sync()
	}
}
