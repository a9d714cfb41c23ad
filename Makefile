# fintrack: a Kubernetes operator that runs a personal finance tracker per tenant, and the tracker.
# `make help` lists the targets.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The pinned Node.js (hack/versions.env) goes first on PATH; hack/ensure-node.sh installs it from
# the npm registry into the cache when the machine's node is another version.
NODE_BIN := $(shell hack/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)

KUBECONFIG_LOCAL := $(CURDIR)/.cluster/kubeconfig
KUBECTL := $(CURDIR)/.cluster/bin/kubectl

##@ General

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} \
	  /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: setup
setup: ## Install system packages (apt), Node.js dependencies and build the control plane
	hack/install-system-packages.sh
	$(MAKE) install
	hack/build-control-plane.sh

.PHONY: install
install: node_modules/.package-lock.json ## Install Node.js dependencies (npm ci)

node_modules/.package-lock.json: package.json package-lock.json app/package.json operator/package.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: lint
lint: install ## Run ESLint and check formatting with Prettier
	npm run lint

.PHONY: format
format: install ## Format the code with Prettier and apply ESLint fixes
	npm run format

.PHONY: typecheck
typecheck: install ## Type-check every package with tsc
	npm run typecheck

.PHONY: test-unit
test-unit: install ## Run the unit tests (no services needed)
	npm run test:unit

.PHONY: test
test: install ## Run every test: unit, then integration against real PostgreSQL, Redis, Chromium and Kubernetes
	hack/install-system-packages.sh
	@mkdir -p .cache
	status=0; npm test -- --reporter=default --reporter=json \
	  --outputFile.json=.cache/vitest-report.json || status=$$?; \
	  node hack/test-summary.mjs .cache/vitest-report.json; exit $$status

.PHONY: check
check: lint typecheck test ## Lint, type-check and run every test

.PHONY: manifests
manifests: install ## Regenerate the CRD (crds/, config/crd/bases/) from operator/src/api
	npm run manifests

##@ Local cluster

.PHONY: control-plane
control-plane: ## Build the pinned Kubernetes, etcd and kwok binaries into the cache (once per pin)
	hack/build-control-plane.sh

.PHONY: cluster-up
cluster-up: ## Start the local control plane (kube-apiserver, controllers, scheduler, kwok fake nodes)
	hack/cluster-up.sh
	@echo "kubectl: $(KUBECTL) --kubeconfig $(KUBECONFIG_LOCAL)"

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and remove .cluster/
	hack/cluster-down.sh
