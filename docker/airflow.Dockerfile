# The Airflow image: Airflow + Cosmos, dbt in its own virtualenv, and this
# repository's DAGs and dbt project (docs/adr/0013-batch-path.md).
# Build from the repository root:
#   docker build -f docker/airflow.Dockerfile -t ghcr.io/streamflow-platform/airflow:0.1.0 .
# Versions come from pyproject.toml's `airflow` and `dbt` extras - the same pins
# the tests install - so the image and CI cannot drift apart.

FROM apache/airflow:3.3.2-python3.11

# 50000 is the image's `airflow` user; pods run as 9999 with group 0 (files are group 0).
USER 0
RUN mkdir -p /opt/streamflow && chown 50000:0 /opt/streamflow
USER 50000
WORKDIR /opt/streamflow

# Dependencies first (cached while only DAGs or models change).
COPY --chown=50000:0 pyproject.toml README.md ./
COPY --chown=50000:0 jobs/ jobs/
# The pins are pyproject.toml's (`.[airflow]`), which hadolint cannot see.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[airflow]"
# dbt: a separate virtualenv (dbt and Airflow do not resolve together reliably);
# the official image sets PIP_USER, which a virtualenv's pip must not use.
RUN python -m venv /opt/streamflow/.venv-dbt \
    && PIP_USER=false /opt/streamflow/.venv-dbt/bin/pip install --no-cache-dir ".[dbt]"

COPY --chown=50000:0 dbt/ dbt/
COPY --chown=50000:0 dags/ dags/

# Paths the DAGs read (dags/streamflow_dags/settings.py); their defaults are this layout.
ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/streamflow/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    STREAMFLOW_DBT_PROJECT_DIR=/opt/streamflow/dbt \
    STREAMFLOW_DBT_EXECUTABLE=/opt/streamflow/.venv-dbt/bin/dbt \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False
