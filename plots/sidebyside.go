package plots

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/gotl/gotl/helpers/nb"
)

// SideBySideHTML returns an HTML fragment that shows the charts next to
// each other, as PNGs sharing the width of the output (they wrap onto more
// rows on a narrow screen): two learning curves, two confusion matrices,
// to compare at a glance.
//
// It returns an error if there are no charts or one cannot be rendered.
func SideBySideHTML(charts ...*Chart) (string, error) {
	if len(charts) == 0 {
		return "", errors.New("plots: SideBySide: no charts")
	}
	var b strings.Builder
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start">`)
	for i, c := range charts {
		png, err := c.Render("png")
		if err != nil {
			return "", fmt.Errorf("plots: SideBySide: chart %d: %w", i, err)
		}
		fmt.Fprintf(&b, `<img style="max-width:%d%%;height:auto" src="data:image/png;base64,%s">`,
			100/len(charts)-1, base64.StdEncoding.EncodeToString(png))
	}
	b.WriteString("</div>")
	return b.String(), nil
}

// ShowSideBySide displays the charts next to each other in one notebook
// output (see SideBySideHTML). Outside a notebook it does nothing (and
// does not render).
func ShowSideBySide(charts ...*Chart) error {
	if !nb.IsNotebook() {
		return nil
	}
	html, err := SideBySideHTML(charts...)
	if err != nil {
		return err
	}
	nb.DisplayHTML(html)
	return nil
}
