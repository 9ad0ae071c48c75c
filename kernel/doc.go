// Package kernel installs and checks gotl's Jupyter kernel: GoNB with this
// checkout of gotl in its Go workspace, so notebooks can
// import "github.com/gotl/gotl/..." without network access.
//
// An installation has four parts, each handled here and reported by Check:
//
//   - Jupyter itself, which gotl does not ship. On Debian and Ubuntu,
//     JupyterPackages names the apt packages and InstallJupyter runs apt-get;
//     elsewhere the report says which pip packages to install.
//   - The Go tools the kernel runs: GoNB, goimports and gopls, each built at a
//     pinned version (see Tools) from a small embedded module whose go.sum pins
//     every dependency, because "go install gonb@version" fails against
//     proxies that refuse GoNB's version list.
//   - The kernelspec directory <Jupyter data dir>/kernels/gotl with a
//     kernel.json that starts GoNB with -go_work=<absolute checkout path>.
//   - A warm Go build cache ("go build ./..." of the checkout), so the first
//     notebook cell takes about a second instead of half a minute, and the
//     go.mod files of gotl's whole module graph in the module cache ("go list
//     -m all"), which GoNB's per-cell "go get" needs to work offline.
//
// Install is idempotent: what is already in place is left alone and reported
// as such. The Jupyter data directory follows Jupyter's own rules, so
// JUPYTER_DATA_DIR moves the kernelspec (tests install into a temporary one).
package kernel
