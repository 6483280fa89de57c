# Two entry points for a newcomer (see README.md):
#   make render   - create the generator venv if needed and render all manifests
#   make test     - install everything the checks need, then run every check
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JOBS_VENV := .venv-jobs
JOBS_PY := $(JOBS_VENV)/bin/python
DBT_VENV := .venv-dbt
AIRFLOW_VENV := .venv-airflow
TOOLS := $(abspath .tools/bin)
KUSTOMIZE_VERSION := v5.8.1
KUBECONFORM_VERSION := v0.7.0
HCLFMT_VERSION := v2.25.0
# promtool of Prometheus 3.x (Go module v0.316.0): checks and unit-tests the generated rules.
PROMTOOL_VERSION := v0.316.0

.PHONY: render system setup tools check test lint typecheck unit bench clean

$(VENV)/.generator: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[generator]' --config-settings editable_mode=compat
	touch $@

$(VENV)/.dev: $(VENV)/.generator
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[generator,manifests,test]' --config-settings editable_mode=compat
	touch $@

$(JOBS_VENV)/.jobs: pyproject.toml
	$(PYTHON) -m venv $(JOBS_VENV)
	$(JOBS_PY) -m pip install --quiet --disable-pip-version-check -e '.[generator,streaming,test]' --config-settings editable_mode=compat
	touch $@

# dbt and Airflow each get their own virtualenv (docs/adr/0002-dependencies.md). The
# Airflow one also holds this package (no dependencies) for the test harness and loader.
$(DBT_VENV)/.dbt: pyproject.toml
	$(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dbt]' --config-settings editable_mode=compat
	touch $@

$(AIRFLOW_VENV)/.airflow: pyproject.toml
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[airflow,harness,test]' --config-settings editable_mode=compat
	touch $@

render: $(VENV)/.generator
	$(PY) -m generator render

$(TOOLS)/.kustomize-$(KUSTOMIZE_VERSION):
	mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) GOFLAGS=-mod=mod go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	touch $@

$(TOOLS)/.kubeconform-$(KUBECONFORM_VERSION):
	mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) go install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)
	touch $@

$(TOOLS)/.hclfmt-$(HCLFMT_VERSION):
	mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) go install github.com/hashicorp/hcl/v2/cmd/hclfmt@$(HCLFMT_VERSION)
	touch $@

$(TOOLS)/.promtool-$(PROMTOOL_VERSION):
	mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) GOFLAGS=-mod=mod go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)
	touch $@

tools: $(TOOLS)/.kustomize-$(KUSTOMIZE_VERSION) $(TOOLS)/.kubeconform-$(KUBECONFORM_VERSION) \
	$(TOOLS)/.hclfmt-$(HCLFMT_VERSION) $(TOOLS)/.promtool-$(PROMTOOL_VERSION)

system:
	bash scripts/install-system-deps.sh

setup: system $(VENV)/.dev $(JOBS_VENV)/.jobs $(DBT_VENV)/.dbt $(AIRFLOW_VENV)/.airflow tools
	$(JOBS_PY) -m jobs.testing.kafka --fetch

check: setup
	$(PY) -m generator render --check
	$(PY) -m generator validate
	$(PY) -m generator budget

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	find terragrunt -name '*.tf' -o -name '*.hcl' | sort | xargs $(TOOLS)/hclfmt -check -require-no-change >/dev/null
	$(VENV)/bin/hadolint docker/*.Dockerfile

typecheck: setup
	$(VENV)/bin/mypy
	$(JOBS_VENV)/bin/mypy --config-file pyproject.toml jobs tests/jobs tests/dbt \
		benchmarks/generator_throughput.py benchmarks/scorer.py benchmarks/streaming.py \
		benchmarks/dbt_build.py
	$(AIRFLOW_VENV)/bin/mypy --config-file pyproject.toml dags tests/dags

unit: setup
	$(VENV)/bin/pytest tests/generator
	$(JOBS_VENV)/bin/pytest tests/jobs tests/dbt
	$(AIRFLOW_VENV)/bin/pytest tests/dags

test: check lint typecheck unit

bench: setup
	$(PY) benchmarks/render_vs_kustomize.py
	$(JOBS_PY) benchmarks/generator_throughput.py
	$(JOBS_PY) benchmarks/scorer.py
	$(JOBS_PY) benchmarks/streaming.py
	$(JOBS_PY) benchmarks/dbt_build.py

clean:
	rm -rf $(VENV) $(JOBS_VENV) $(DBT_VENV) $(AIRFLOW_VENV) .tools .cache
