package checkpoint_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TensorFlow's generated core/protobuf Go package (and stream_executor)
// cannot be linked beside GoMLX's XLA backend: this package must never
// depend on them, directly or not.
func TestNoForbiddenImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/gotl/gotl/helpers/checkpoint").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "tensorflow/go/core/protobuf") || strings.Contains(dep, "stream_executor") {
			t.Errorf("helpers/checkpoint depends on %s", dep)
		}
	}
}
