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
KUBECTL_LOCAL := $(CURDIR)/.cluster/bin/kubectl

# Images that docker-build builds and deploy runs.
IMG ?= fintrack/operator:dev
APP_IMG ?= fintrack/app:dev
BACKUP_IMG ?= fintrack/backup:dev
CONTAINER_TOOL ?= docker
# Extra flags for every image build (hack/e2e.sh builds with `--network host`).
DOCKER_BUILD_FLAGS ?=
VERSION ?= $(shell git describe --tags --always 2>/dev/null || echo dev)

# Cluster targets talk to the cluster in $KUBECONFIG, the local one (make cluster-up) when unset,
# with the pinned kubectl once the local cluster has linked it, else kubectl from PATH. Both are
# evaluated when used, so a cluster started earlier in the same make run is seen.
KUBECONFIG ?= $(KUBECONFIG_LOCAL)
KUBECTL ?= $(shell test -x $(KUBECTL_LOCAL) && echo $(KUBECTL_LOCAL) || echo kubectl)
KUBECTL_CMD = KUBECONFIG="$(KUBECONFIG)" $(KUBECTL)
FIELD_MANAGER := fintrack-deploy
# A single operator run from source needs no leader election (and fintrack-system may not exist);
# either setting can still be given in the environment.
LOCAL_OPERATOR_ENV = FINTRACK_APP_IMAGE="$${FINTRACK_APP_IMAGE:-$(APP_IMG)}" \
  FINTRACK_BACKUP_IMAGE="$${FINTRACK_BACKUP_IMAGE:-$(BACKUP_IMG)}" \
  FINTRACK_LEADER_ELECTION="$${FINTRACK_LEADER_ELECTION:-false}"
OPERATOR_LOG := $(CURDIR)/.cluster/operator.log
OPERATOR_PID := $(CURDIR)/.cluster/operator.pid

##@ General

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} \
	  /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: demo
demo: install ## Serve the app with a year of demo data on http://localhost:8080, this machine only (PORT, HOST=0.0.0.0 to change); data in .data/
	node app/src/static-files/ensure-built.ts
	env -u DATABASE_URL -u REDIS_URL node app/src/main.ts

.PHONY: demo-reset
demo-reset: ## Delete the demo's data (.data/): the next make demo seeds a fresh household
	@pid="$$(head -n 1 .data/postgres/postmaster.pid 2>/dev/null || true)"; \
	if [[ -n "$$pid" ]] && kill -0 "$$pid" 2>/dev/null; then \
	  echo "the demo's PostgreSQL is running (pid $$pid): stop make demo (Ctrl+C) first" >&2; exit 1; \
	fi
	rm -rf .data
	@echo "demo data deleted: the next make demo starts from a freshly seeded household"

.PHONY: setup
setup: ## Install system packages (apt), Node.js dependencies and build the control plane
	hack/install-system-packages.sh
	$(MAKE) install
	hack/build-control-plane.sh
	hack/install-s3-server.sh

.PHONY: install
install: node_modules/.package-lock.json ## Install Node.js dependencies (npm ci)

node_modules/.package-lock.json: package.json package-lock.json app/package.json operator/package.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: lint
lint: install ## Run ESLint and Prettier, check generated files are fresh, lint the GitHub workflows
	npm run lint
	hack/actionlint.sh

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
	hack/install-s3-server.sh >/dev/null
	hack/install-schemathesis.sh >/dev/null
	hack/install-helm.sh >/dev/null
	@mkdir -p .cache
	status=0; npm test -- --reporter=default --reporter=json \
	  --outputFile.json=.cache/vitest-report.json || status=$$?; \
	  node hack/test-summary.mjs .cache/vitest-report.json; exit $$status

.PHONY: check
check: lint typecheck test ## Lint, type-check and run every test

.PHONY: manifests
manifests: install ## Regenerate the CRD (crds/, config/crd/bases/) from operator/src/api, and the Helm chart's generated files
	npm run manifests

.PHONY: api-types
api-types: install ## Regenerate the web UI's API types (app/web/src/lib/api-types.ts) from the OpenAPI document
	npm run generate:api-types

##@ Local cluster

.PHONY: control-plane
control-plane: ## Build the pinned Kubernetes, etcd and kwok binaries into the cache (once per pin)
	hack/build-control-plane.sh

.PHONY: cluster-up
cluster-up: ## Start the local control plane (kube-apiserver, controllers, scheduler, kwok fake nodes)
	hack/cluster-up.sh
	@echo "kubectl: $(KUBECTL_LOCAL) --kubeconfig $(KUBECONFIG_LOCAL)"

.PHONY: cluster-down
cluster-down: ## Stop the local control plane (and the real node, if up) and remove .cluster/
	hack/node-down.sh
	hack/cluster-down.sh

.PHONY: third-party-crds
third-party-crds: ## Install the real Prometheus Operator, Argo CD and cert-manager CRDs (from their Go modules) into the local cluster
	hack/install-crds.sh --apply

.PHONY: node-up
node-up: cluster-up ## Join a real node (kubelet, containerd, CoreDNS, kube-router, metrics-server) to the local control plane; needs root
	hack/node-up.sh

.PHONY: node-down
node-down: ## Remove the real node and check the host is exactly as it was before node-up
	hack/node-down.sh

.PHONY: e2e
e2e: install ## End-to-end test in real containers on the real node: images, helm install/upgrade, tenants, UI, policies, faults, backups, monitoring
	hack/e2e.sh

.PHONY: compose-test
compose-test: install ## Test samples/compose with Docker Compose: up, sign in, book, restart, down/up, backup, restore, down -v; needs root and no real node
	hack/compose-test.sh

##@ Build

.PHONY: docker-build
docker-build: ## Build the operator (IMG), app (APP_IMG) and backup (BACKUP_IMG) images
	$(CONTAINER_TOOL) build $(DOCKER_BUILD_FLAGS) -f Dockerfile.operator --build-arg VERSION=$(VERSION) -t $(IMG) .
	$(CONTAINER_TOOL) build $(DOCKER_BUILD_FLAGS) -f Dockerfile.app --build-arg VERSION=$(VERSION) -t $(APP_IMG) .
	$(CONTAINER_TOOL) build $(DOCKER_BUILD_FLAGS) -f Dockerfile.backup --build-arg VERSION=$(VERSION) -t $(BACKUP_IMG) .

.PHONY: run
run: install ## Run the operator from source against the cluster in KUBECONFIG (default: the local one)
	KUBECONFIG="$(KUBECONFIG)" $(LOCAL_OPERATOR_ENV) node operator/src/main.ts

##@ Deployment

.PHONY: install-crds
install-crds: ## Install the FinanceTracker CRD into the cluster in KUBECONFIG (default: the local one)
	$(KUBECTL_CMD) apply --server-side --force-conflicts --field-manager=$(FIELD_MANAGER) -k config/crd
	$(KUBECTL_CMD) wait --for=condition=Established --timeout=60s crd/financetrackers.fintrack.dev

.PHONY: uninstall-crds
uninstall-crds: ## Remove the FinanceTracker CRD, which deletes every FinanceTracker in the cluster
	$(KUBECTL_CMD) delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: ## Deploy the operator (config/default) with images IMG, APP_IMG and BACKUP_IMG to the cluster in KUBECONFIG
	$(KUBECTL_CMD) kustomize config/default \
	  | sed -e 's|image: fintrack/operator:latest|image: $(IMG)|' \
	        -e 's|value: fintrack/app:latest|value: $(APP_IMG)|' \
	        -e 's|value: fintrack/backup:latest|value: $(BACKUP_IMG)|' \
	  | $(KUBECTL_CMD) apply --server-side --force-conflicts --field-manager=$(FIELD_MANAGER) -f -

.PHONY: undeploy
undeploy: ## Remove the operator and its namespace and RBAC; keeps the CRD and the tenants' FinanceTrackers
	$(KUBECTL_CMD) delete --ignore-not-found -k config/manager
	$(KUBECTL_CMD) delete --ignore-not-found -k config/rbac

.PHONY: dev
dev: install cluster-up dev-stop ## Local cluster, CRD, the operator from source in the background, samples/minimal.yaml in namespace demo
	$(MAKE) --no-print-directory install-crds KUBECONFIG="$(KUBECONFIG_LOCAL)"
	KUBECONFIG="$(KUBECONFIG_LOCAL)" $(LOCAL_OPERATOR_ENV) \
	  nohup node operator/src/main.ts >"$(OPERATOR_LOG)" 2>&1 </dev/null & echo $$! >"$(OPERATOR_PID)"
	@sleep 2; kill -0 "$$(cat "$(OPERATOR_PID)")" 2>/dev/null || { \
	  tail -n 40 "$(OPERATOR_LOG)" >&2; echo "the operator exited; its log: $(OPERATOR_LOG)" >&2; exit 1; }
	$(KUBECTL) --kubeconfig "$(KUBECONFIG_LOCAL)" create namespace demo --dry-run=client -o yaml \
	  | $(KUBECTL) --kubeconfig "$(KUBECONFIG_LOCAL)" apply --server-side --field-manager=$(FIELD_MANAGER) -f -
	$(KUBECTL) --kubeconfig "$(KUBECONFIG_LOCAL)" label namespace demo --overwrite \
	  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest
	$(KUBECTL) --kubeconfig "$(KUBECONFIG_LOCAL)" apply --server-side --field-manager=$(FIELD_MANAGER) \
	  -n demo -f samples/minimal.yaml
	@echo "operator running (pid $$(cat "$(OPERATOR_PID)")), log: $(OPERATOR_LOG); stop it with make dev-stop"
	@echo "watch the tenant: $(KUBECTL_LOCAL) --kubeconfig $(KUBECONFIG_LOCAL) -n demo get financetrackers -w"

.PHONY: dev-stop
dev-stop: ## Stop the operator that `make dev` started
	@pid="$$(cat "$(OPERATOR_PID)" 2>/dev/null || true)"; \
	if [[ -n "$$pid" ]] && grep -qs 'operator/src/main.ts' "/proc/$$pid/cmdline"; then \
	  kill "$$pid"; echo "stopped the operator (pid $$pid)"; \
	fi; \
	rm -f "$(OPERATOR_PID)"

.PHONY: kind-test
kind-test: ## The end-to-end scenario of make e2e on a kind cluster (needs Docker and kind)
	hack/kind-test.sh
