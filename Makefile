# The one interface to the project. `make` (or `make help`) lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
MODELS ?= models
ARTIFACT := $(MODELS)/insurance_charges_model.skops
CONFIG ?= configuration/local.yaml
BIND ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
BUILD ?= build
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
EXECUTED := $(BUILD)/notebooks

# Notebooks run from notebooks/, so a dataset path given relative to here is made absolute.
ifdef INSURANCE_DATA
export INSURANCE_DATA := $(abspath $(INSURANCE_DATA))
endif

.PHONY: help venv dependencies requirements data train serve benchmark-model test test-slow lint \
	notebooks blog ci clean

help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(PY) ## Create the virtual environment in .venv (PYTHON=python3.11)

$(PY):
	$(PYTHON) -m venv $(VENV)

dependencies: $(INSTALLED) ## Install the pinned requirements and the service packages (editable) into .venv

$(INSTALLED): $(PY) requirements.txt pyproject.toml
	$(PY) -m pip install --quiet --requirement requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $@

requirements: $(INSTALLED) ## Recompile the pinned requirements.txt from requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.txt requirements.in

data: $(INSTALLED) ## Locate, verify and validate the dataset (INSURANCE_DATA, data/, or download)
	$(PY) -m insurance_charges_model.data

train: $(INSTALLED) ## Train the model: artifact and metrics.json into models/
	$(PY) -m insurance_charges_model.train --output $(MODELS)

$(ARTIFACT): | $(INSTALLED)
	$(PY) -m insurance_charges_model.train --output $(MODELS)

serve: $(INSTALLED) $(ARTIFACT) ## Serve the model on BIND:PORT (WORKERS, CONFIG); trains one first if none exists
	SERVICE_CONFIG=$(CONFIG) HOST=$(BIND) PORT=$(PORT) WORKERS=$(WORKERS) \
		INSURANCE_CHARGES_MODEL_PATH=$(abspath $(ARTIFACT)) exec $(PY) -m model_service

benchmark-model: $(INSTALLED) ## Time a single predict: fast path against a 1-row pipeline.predict
	$(PY) -m insurance_charges_model.benchmark

test: $(INSTALLED) ## Run the fast tests
	$(BIN)/pytest

test-slow: $(INSTALLED) ## Run the slow tests (end to end)
	$(BIN)/pytest -m slow

lint: $(INSTALLED) ## Lint and check formatting with ruff
	$(BIN)/ruff check service tests notebooks
	$(BIN)/ruff format --check service tests notebooks

notebooks: $(INSTALLED) ## Execute the notebooks in order with papermill into build/notebooks
	@mkdir -p $(EXECUTED)
	@for notebook in $(NOTEBOOKS); do \
		echo "== executing $$notebook"; \
		$(BIN)/papermill --cwd notebooks --progress-bar "$$notebook" "$(EXECUTED)/$$(basename $$notebook)" \
			|| { echo "error: $$notebook failed; the failing cell is in $(EXECUTED)/$$(basename $$notebook)"; exit 1; }; \
	done

blog: notebooks ## Execute the notebooks, then render the post into blog_post/ (.md and .html)
	$(PY) -m post_renderer.render --notebooks $(EXECUTED) --output blog_post

ci: lint test-slow blog ## What CI runs after `make test`: lint, slow tests, notebooks and the post

clean: ## Remove the venv, build outputs, trained models and the cached dataset
	rm -rf $(VENV) $(BUILD) $(MODELS) data .pytest_cache .ruff_cache
