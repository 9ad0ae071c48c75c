package docker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper-case keyword
	args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasPrefix(line, "#") { // comment inside a continued RUN
			continue
		}
		cont := strings.HasSuffix(line, "\\")
		cur.WriteString(strings.TrimSuffix(line, "\\"))
		cur.WriteString(" ")
		if !cont {
			text := strings.TrimSpace(cur.String())
			cmd, args, _ := strings.Cut(text, " ")
			out = append(out, instruction{start, strings.ToUpper(cmd), strings.TrimSpace(args)})
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		t.Fatalf("%s: file ends inside a continued line", path)
	}
	return out
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found above docker/: %v", err)
	}
	return root
}

// gotlCommands maps each registered subcommand of cmd/gotl to the source of
// the file that registers it (where its flags are declared).
func gotlCommands(t *testing.T, root string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "cmd", "gotl", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	nameRE := regexp.MustCompile(`name:\s*"([a-z0-9-]+)"`)
	cmds := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range nameRE.FindAllStringSubmatch(string(src), -1) {
			cmds[m[1]] = string(src)
		}
	}
	return cmds
}

func TestDockerfiles(t *testing.T) {
	root := repoRoot(t)
	for _, name := range []string{"Dockerfile", "Dockerfile.cuda"} {
		t.Run(name, func(t *testing.T) {
			for _, p := range lintDockerfile(t, root, name) {
				t.Error(p)
			}
			if path, err := exec.LookPath("hadolint"); err == nil {
				out, err := exec.Command(path, name).CombinedOutput()
				if err != nil {
					t.Errorf("hadolint %s: %v\n%s", name, err, out)
				}
			} else {
				t.Logf("hadolint not installed (not packaged for Debian 12); ran gotl's own checks only")
			}
		})
	}
}

// The lint must catch the mistakes it exists for.
func TestLintCatchesStaleDockerfile(t *testing.T) {
	root := repoRoot(t)
	bad := filepath.Join(t.TempDir(), "Dockerfile")
	err := os.WriteFile(bad, []byte("FROM golang:latest\nCOPY no/such/dir /x\nRUN go build ./cmd/nothing && gotl frobnicate\nRUN go install example.com/tool@latest\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(lintDockerfile(t, root, bad), "\n")
	for _, want := range []string{"not pinned", `"no/such/dir" does not exist`, "./cmd/nothing", `no subcommand "frobnicate"`, "@latest", "needs a FROM and a CMD"} {
		if !strings.Contains(problems, want) {
			t.Errorf("lint of a stale Dockerfile did not report %q; got:\n%s", want, problems)
		}
	}
}

// lintDockerfile returns the problems found in the Dockerfile at path, whose
// build context is the repository root.
func lintDockerfile(t *testing.T, root, path string) []string {
	t.Helper()
	name := filepath.Base(path)
	var problems []string
	report := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	cmds := gotlCommands(t, root)
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(goMod)
	if goVersion == nil {
		t.Fatal("go.mod has no go line")
	}
	gotlCall := regexp.MustCompile(`\bgotl ([a-z0-9-]+)((?:\s+--?[a-z_]+(?:=\S+)?(?:\s+[^-&;\s]\S*)?)*)`)
	flagName := regexp.MustCompile(`--?([a-z_]+)`)
	{
		{
			ins := parseDockerfile(t, path)
			args := map[string]string{}
			sawFrom, sawCmd := false, false
			for _, in := range ins {
				where := func() string { return name + ":" + strconv.Itoa(in.line) }
				switch in.cmd {
				case "ARG":
					k, v, _ := strings.Cut(in.args, "=")
					args[k] = v
				case "FROM":
					sawFrom = true
					image := strings.Fields(in.args)[0]
					if strings.HasPrefix(image, "${") {
						image = args[strings.Trim(image, "${}")]
					}
					if !strings.Contains(image, ":") || strings.HasSuffix(image, ":latest") {
						report("%s: base image %q is not pinned to a tag", where(), image)
					}
					if strings.HasPrefix(image, "golang:") && !strings.HasPrefix(strings.TrimPrefix(image, "golang:"), string(goVersion[1])) {
						report("%s: Go image %q does not match go.mod's go %s", where(), image, goVersion[1])
					}
				case "COPY":
					if strings.Contains(in.args, "--from=") {
						continue
					}
					fields := strings.Fields(in.args)
					for _, src := range fields[:len(fields)-1] {
						if src == "." {
							continue
						}
						if _, err := os.Stat(filepath.Join(root, src)); err != nil {
							report("%s: COPY source %q does not exist in the repository", where(), src)
						}
					}
				case "RUN":
					if strings.Contains(in.args, "@latest") {
						report("%s: RUN installs @latest; pin a version", where())
					}
					for _, m := range regexp.MustCompile(`go (?:build|run)[^&;]*?(\./[\w/.-]+)`).FindAllStringSubmatch(in.args, -1) {
						if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
							report("%s: builds %s, which does not exist", where(), m[1])
						}
					}
					for _, m := range gotlCall.FindAllStringSubmatch(in.args, -1) {
						src, ok := cmds[m[1]]
						if !ok {
							report("%s: gotl has no subcommand %q", where(), m[1])
							continue
						}
						for _, f := range flagName.FindAllStringSubmatch(m[2], -1) {
							if !strings.Contains(src, `"`+f[1]+`"`) {
								report("%s: gotl %s has no flag --%s", where(), m[1], f[1])
							}
						}
					}
				case "CMD", "ENTRYPOINT":
					sawCmd = true
					for _, m := range regexp.MustCompile(`--notebook-dir=/opt/gotl/([\w/.-]+)`).FindAllStringSubmatch(in.args, -1) {
						if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
							report("%s: notebook dir %s does not exist in the repository", where(), m[1])
						}
					}
				}
			}
			if !sawFrom || !sawCmd {
				report("%s: needs a FROM and a CMD", name)
			}
		}
	}
	return problems
}
