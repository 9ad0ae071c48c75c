package plots

import (
	"strings"
	"testing"
)

func TestLogTickLabelsAreRounded(t *testing.T) {
	for _, tick := range (logTicks{}).Ticks(1e-6, 1e4) {
		if strings.Contains(tick.Label, "0000000") {
			t.Errorf("tick %v labelled %q", tick.Value, tick.Label)
		}
	}
	labels := map[string]bool{}
	for _, tick := range (logTicks{}).Ticks(1e-6, 1e4) {
		labels[tick.Label] = true
	}
	for _, want := range []string{"1e-06", "1000"} {
		if !labels[want] {
			t.Errorf("no %q tick in %v", want, labels)
		}
	}
}
