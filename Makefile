# sagesize: the two commands that matter on a fresh machine.
#   make synth   set up, then synthesize the example config (no AWS account needed)
#   make test    set up, then run every check and test
# Both install what they need (npm packages, Go modules) on first use.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# The pinned Node.js 22 and CDK CLI from package.json come first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

CONFIG ?= sagesize.yaml
OUT    ?= cdk.out

.PHONY: setup synth test bench-synth bench-scale bench-loadgen bench-stream bench-fuzz model-gate mutate clean

# npm ci only when package.json or the lock file changed.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: node_modules/.installed
	go mod download
	@node --version >/dev/null

synth: setup
	rm -rf $(OUT)
	cdk synth --quiet --output $(OUT) -c config=$(CONFIG)
	@echo
	@echo "Synthesized $(CONFIG) into $(OUT)/:"
	@go run ./cmd/sagesize summary --config $(CONFIG) $(OUT)

test: setup
	scripts/test

bench-synth: setup
	scripts/bench-synth

bench-scale: setup
	scripts/bench-scale

bench-loadgen:
	bench/loadgen-vs-vegeta.sh

# CPU per streamed 200-token answer next to a plain signed request, and the
# peak RSS of a long streaming run (bench/stream-cost.sh; DURATION etc.).
bench-stream:
	bench/stream-cost.sh

# The release gate against a real model (model/, Debian's nginx, gunicorn,
# Flask and scikit-learn): REPEAT (5) interleaved rounds of a baseline run
# of release 1 and candidate runs of release 1 (the false positives) and
# release 2, compared with the latest baseline runs, then each release's
# knee on one core. About 20 minutes (scripts/model-gate; TREES1, TREES2,
# BASELINES, FLOOR etc.).
model-gate:
	scripts/model-gate

# Config loader: linear time per KB, then FuzzLoad (FUZZTIME, default 10m).
bench-fuzz:
	scripts/bench-fuzz $(FUZZTIME)

# Mutation testing (gremlins, pinned) of the packages that carry the
# promises; slow, not part of test. PKGS narrows it, e.g. PKGS="sizing shard".
mutate:
	scripts/mutate $(PKGS)

clean:
	rm -rf $(OUT) node_modules
