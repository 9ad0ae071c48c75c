package kernel

import (
	"fmt"
	"strconv"
)

// ServerOptions configures the Jupyter server that ServerCommand starts.
type ServerOptions struct {
	NotebookDir string // directory served; also the working directory
	IP          string // address to listen on; "" means 127.0.0.1
	Port        int    // 0 means 8888 (Jupyter tries the next ports if taken)
	// OpenBrowser lets Jupyter open a browser. Leave it off on machines
	// without a display: Jupyter would otherwise start a text browser in the
	// terminal.
	OpenBrowser bool
}

// ServerCommand returns the command that serves o.NotebookDir with
// JupyterLab when it is installed, else the classic Jupyter Notebook (the
// only one Debian 12 packages). Jupyter prints the URL, with its access
// token, once it listens.
func ServerCommand(h *Host, o ServerOptions) (cmd Command, ui string, err error) {
	ui = "JupyterLab"
	prog, err := h.LookPath("jupyter-lab")
	if err != nil {
		ui = "Jupyter Notebook"
		if prog, err = h.LookPath("jupyter-notebook"); err != nil {
			return Command{}, "", fmt.Errorf("%w: neither jupyter-lab nor jupyter-notebook is on PATH; install with: %s",
				ErrNoJupyter, JupyterFix(h, []JupyterPart{JupyterParts[1]}))
		}
	}
	ip := o.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	port := o.Port
	if port == 0 {
		port = 8888
	}
	if port < 0 || port > 65535 {
		return Command{}, "", fmt.Errorf("kernel: port %d out of range", port)
	}
	args := []string{"--notebook-dir=" + o.NotebookDir, "--ip=" + ip, "--port=" + strconv.Itoa(port)}
	if !o.OpenBrowser {
		args = append(args, "--no-browser")
	}
	if h.IsRoot {
		args = append(args, "--allow-root") // Jupyter refuses to run as root otherwise
	}
	return Command{Name: prog, Args: args, Dir: o.NotebookDir}, ui, nil
}
