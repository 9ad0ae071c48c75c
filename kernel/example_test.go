package kernel_test

import (
	"fmt"

	"github.com/gotl/gotl/kernel"
)

// The kernel.json that "gotl install --raw_error --offline" writes for a
// checkout in /src/gotl with the tools in /root/go/bin.
func ExampleConfig_Spec() {
	cfg := kernel.Config{RepoRoot: "/src/gotl", RawError: true, Offline: true}
	spec, err := cfg.Spec("/root/go/bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(spec.Marshal()))
	// Output:
	// {
	//   "argv": [
	//     "/root/go/bin/gonb",
	//     "--kernel",
	//     "{connection_file}",
	//     "-raw_error=true",
	//     "-go_work=/src/gotl",
	//     "-logtostderr=false",
	//     "-alsologtostderr=false",
	//     "-stderrthreshold=FATAL"
	//   ],
	//   "display_name": "Go (gotl)",
	//   "language": "go",
	//   "interrupt_mode": "message",
	//   "env": {
	//     "GOPROXY": "off"
	//   }
	// }
}

// A relative checkout path is refused: GoNB would resolve it inside its own
// temporary directory and the kernel would die at start-up.
func ExampleConfig_Spec_relativePath() {
	_, err := kernel.Config{RepoRoot: "gotl"}.Spec("/root/go/bin")
	fmt.Println(err)
	// Output:
	// kernel: the checkout path "gotl" must be absolute
}
