# The image of the three PyFlink jobs (and of the migration Job).
# Build from the repository root:
#   docker build -f docker/flink-jobs.Dockerfile -t ghcr.io/streamflow-platform/flink-jobs:0.1.0 .
# The connector jars come from jobs/flink/connectors-pom.xml - the same list the
# tests resolve - and the fraud model is trained at build time with a fixed seed,
# so the image is reproducible from this commit.

ARG FLINK_VERSION=1.20.5

FROM maven:3.9.9-eclipse-temurin-17 AS connectors
WORKDIR /build
COPY jobs/flink/connectors-pom.xml pom.xml
RUN mvn -q -B --strict-checksums dependency:copy-dependencies -DoutputDirectory=/connectors -DincludeScope=runtime

# The compiled scoring core (libs/detection/native): maturin's own image builds a
# manylinux2014 wheel (any glibc >= 2.17, so the jammy-based Flink image takes it) from
# the crate's Cargo.lock, whose crates.io checksums cargo verifies (--locked).
FROM ghcr.io/pyo3/maturin:v1.16.0 AS scoring
WORKDIR /build
COPY libs/detection/native/ .
RUN maturin build --release --locked --interpreter python3.11 --out /wheels

FROM flink:${FLINK_VERSION}-scala_2.12-java17
ARG FLINK_VERSION
USER 0
# Python 3.11 (the jobs use tomllib, StrEnum); Ubuntu jammy ships it in universe.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv python3.11-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/streamflow
COPY pyproject.toml README.md ./
COPY jobs/ jobs/
COPY libs/ libs/
COPY specs/ specs/
COPY --from=scoring /wheels/ /tmp/wheels/
RUN python3.11 -m venv /opt/streamflow/venv \
    && /opt/streamflow/venv/bin/pip install --no-cache-dir ".[streaming]" /tmp/wheels/*.whl \
    && /opt/streamflow/venv/bin/python -m jobs.train --output /opt/streamflow/models/fraud-iforest --seed 42
COPY --from=connectors /connectors/ /opt/flink/lib/
RUN cp "/opt/flink/opt/flink-python-${FLINK_VERSION}.jar" /opt/flink/lib/ \
    && groupadd --gid 9999 streamflow \
    && useradd --uid 9999 --gid 9999 --home-dir /opt/streamflow --no-create-home streamflow \
    && chown -R 9999:9999 /opt/flink /opt/streamflow
ENV PYTHONPATH=/opt/streamflow \
    STREAMFLOW_CONNECTORS_IN_LIB=1 \
    PATH=/opt/streamflow/venv/bin:$PATH
USER 9999
