// Package docker holds gotl's container images (Dockerfile for CPU,
// Dockerfile.cuda for NVIDIA GPUs) and a test that lints them.
//
// No Docker engine runs where gotl's tests run, so the images cannot be
// built there. The lint test checks what can go stale without a build: every
// path a COPY takes exists in the repository, every gotl subcommand and flag
// a RUN line uses exists in cmd/gotl, base images are pinned, and the Go image
// matches go.mod. When hadolint is on PATH it is run as well.
package docker
