# gotl's two entry points:
#   make notebook   install what is missing (Jupyter from Debian/Ubuntu packages, GoNB, goimports,
#                   gopls, the "Go (gotl)" kernel) and start Jupyter on notebooks/
#   make test       install what the tests need, then go vet and every test, notebooks included
#                   (one line per package, failures in full, then a summary: where the executed
#                   notebooks are, each notebook's time, and the skipped tests counted by reason)
# Run them as root or as a user with sudo (used only for apt-get).

GO          ?= go
GOTL        := $(GO) run ./cmd/gotl
TESTTIMEOUT ?= 40m

# make test pipes go test through a summary; pipefail keeps go test's status.
SHELL       := bash
.SHELLFLAGS := -o pipefail -c

# Address and port of the Jupyter server (make notebook GOTL_NOTEBOOK_IP=0.0.0.0 serves every interface).
GOTL_NOTEBOOK_IP   ?= 127.0.0.1
GOTL_NOTEBOOK_PORT ?= 8888
export GOTL_NOTEBOOK_IP GOTL_NOTEBOOK_PORT

.PHONY: notebook install check test vet

notebook: install
	$(GOTL) notebook

install:
	$(GOTL) install --system

check:
	$(GOTL) install --check --tests

test:
	$(GOTL) install --system --tests --tools_only
	$(GO) vet ./...
	$(GO) build -o bin/testreport ./tools/testreport
	$(GO) test -json -timeout $(TESTTIMEOUT) ./... | bin/testreport

vet:
	$(GO) vet ./...
