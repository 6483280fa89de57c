"""fraud-detector: per-customer rules + Isolation Forest over ``transactions.raw``.

Keyed by ``customer_id``; each customer's ``CustomerFraudState`` lives in a
RocksDB ``ValueState`` as its versioned bytes, checkpointed EXACTLY_ONCE.
Alerts (blended score ≥ threshold) go to ``fraud.alerts`` in Kafka
transactions and are upserted into ``bronze.raw_fraud_alerts`` by alert id.
The blacklist is re-read every ``--blacklist-refresh-s``; the model is loaded
in ``open()`` and, if unusable, the job scores with rules only.

    python -m jobs.flink.fraud_detector --bootstrap-servers HOST:9092 --model-dir DIR
"""

import argparse
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyflink.common import Row, Types
from pyflink.datastream import KeyedProcessFunction, RuntimeContext, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor

from jobs.flink import topics
from jobs.flink.blacklist import RefreshingBlacklist, libpq_dsn, read_blacklist
from jobs.flink.environment import common_arguments, create_environment, job_options, run
from jobs.flink.keying import keyed_by_first_field
from jobs.flink.metrics import ByLabel, EventTime, LatencyCounters, LocalCounter, streamflow_group
from jobs.flink.routing import ALERT_COLUMNS, alert_bronze_row
from jobs.flink.state_cache import BYTES_PER_ENCODED_STATE, BYTES_PER_STATE, MIB, StateCache
from jobs.flink.tables import jdbc_sink, kafka_event_time_sink, kafka_raw_source
from libs.contracts.metrics import DETECTION
from libs.detection.compiled import MODULE, compiled_detector, load_native
from libs.detection.config import RULES_FILE, load_rules
from libs.detection.core import DetectorContext, detect, to_alert
from libs.detection.rules import RULE_IDS
from libs.detection.transaction import Txn
from libs.ml.loader import load_model
from libs.models.events import EventParseError
from libs.models.state import CustomerFraudState, StateDecodeError

# Its Kafka consumer group (offsets commit with each checkpoint; the demo waits on them).
CONSUMER_GROUP = "flink-fraud"

JOB_NAME = "fraud-detector"
# What the Python operator hands the JVM per alert: its wire JSON (to Kafka), the
# values of its bronze row (to PostgreSQL) and its event time. The compiled core
# builds the row's values with the JSON, from the same numbers; before issue #29
# Flink SQL read them back out of the JSON, one JSON_VALUE per column, and those
# sixteen parses of the same text cost an alert storm more than the scoring
# (benchmarks/alert_path.py, ADR 0021). The sinks still run in their own task
# (issue #16): the Python thread neither writes nor waits.
ALERT_TYPE = Types.ROW_NAMED(
    ["alert_json", *ALERT_COLUMNS, "event_ms"],
    [Types.STRING(), *(Types.STRING() for _ in ALERT_COLUMNS), Types.LONG()],
)
# The operator holding every customer's state is found in a savepoint by its ID.
# Its uid fixes that ID from now on, whatever the pipeline around it becomes; the
# ID Flink generated for it before it had one (from the shape of the old pipeline,
# in which it was chained to its sinks) lets savepoints of earlier releases map.
# The sinks' operators (planner-made, no uids) got new IDs when the scoring left
# their chain: their state in an older savepoint is the Kafka sink's transaction
# bookkeeping, committed when that savepoint completed, so the job drops what no
# operator claims rather than refusing the upgrade (ADR 0012, amendment 2).
DETECTOR_UID = "detect-fraud"
DETECTOR_ID_BEFORE_UID = "c27dcf7b54ef6bfd6cff02ca8870b681"
LOGGER = logging.getLogger("streamflow.fraud_detector")
EMPTY = CustomerFraudState()
AFRESH = "starting a customer afresh"  # logged when a stored state cannot be read


# The partitioning key, computed in the JVM: the Kafka record key (the producer
# keys by customer), else the payload's customer_id, else '' (unparseable events
# are skipped by the detector and land in the DLQ through the transaction-processor).
KEYED_SOURCE = """
SELECT
  COALESCE(
    CAST(`key` AS STRING),
    JSON_VALUE(CAST(`value` AS STRING), '$.customer_id'),
    ''
  ) AS customer_id,
  CAST(`value` AS STRING) AS `value`
FROM fraud_source
"""


class DetectFraud(KeyedProcessFunction):  # type: ignore[misc]
    """Thin Flink wrapper around ``libs.detection.core.detect``."""

    def __init__(  # noqa: PLR0917 - the job's settings, passed once at build time
        self,
        model_dir: str | None,
        dsn: str,
        refresh_s: float,
        rules: str,
        backend: str,
        cache_bytes: int,
    ) -> None:
        self.model_dir, self.dsn, self.refresh_s, self.rules = model_dir, dsn, refresh_s, rules
        self.backend, self.cache_bytes = backend, cache_bytes

    # The compiled scoring core's module (libs/detection/native). It speaks state
    # layout v1.0, this release's codec: a release with another codec sets None and
    # scores in Python until the core learns the layout.
    scoring_core: str | None = MODULE

    def open(self, runtime_context: RuntimeContext) -> None:
        """Load rules, model (or fall back to rules only), blacklist; bind state and metrics."""
        self.config = load_rules(Path(self.rules))
        self.model = load_model(
            Path(self.model_dir) if self.model_dir else None, backend=self.backend
        )
        self.blacklist = RefreshingBlacklist(lambda: read_blacklist(self.dsn), self.refresh_s)
        self.state = runtime_context.get_state(
            ValueStateDescriptor("customer-fraud-state", Types.PICKLED_BYTE_ARRAY())
        )
        metrics = streamflow_group(runtime_context)
        self.decisions = LocalCounter(metrics, "decisions")
        self.alerts = LocalCounter(metrics, "alerts")
        rule_alerts = ByLabel(metrics, "rule_id", "alerts", RULE_IDS).counters
        # The counters an alert increments, by its rule bits (bit i: RULE_IDS[i] fired).
        self.rule_alerts = [
            tuple(rule_alerts[rule] for i, rule in enumerate(RULE_IDS) if bits >> i & 1)
            for bits in range(1 << len(RULE_IDS))
        ]
        self.latency = LatencyCounters(metrics, DETECTION)
        self.event_time = EventTime(metrics)
        self.skipped = LocalCounter(metrics, "unparseable_events")
        self.scoring_errors = LocalCounter(metrics, "scoring_errors")
        self.corrupt_state = LocalCounter(metrics, "corrupt_states")
        # Without the compiled core (cannot be imported: logged once) the job scores
        # every event in Python, and says so on this gauge.
        self.native = load_native(self.scoring_core) if self.scoring_core else None
        compiled = 1 if self.native is not None else 0
        metrics.gauge("compiled_scoring", lambda: compiled)
        # The compiled core reads and writes encoded states: the cache holds those.
        self.cache: StateCache[Any] = StateCache(
            self.cache_bytes, BYTES_PER_ENCODED_STATE if self.native else BYTES_PER_STATE
        )
        metrics.gauge("cached_states", lambda: len(self.cache))
        self._build_context()
        available = 1 if self.model.available else 0
        metrics.gauge("model_available", lambda: available)

    # The state codec, one place: a release that changes the layout overrides these
    # (tests/jobs/flink/next_state_release.py plays one against this release).
    @staticmethod
    def decode(stored: bytes) -> CustomerFraudState:
        """A customer's state from its bytes in Flink state."""
        return CustomerFraudState.from_bytes(stored)

    @staticmethod
    def encode(state: CustomerFraudState) -> bytes:
        """The bytes Flink state (so checkpoints and savepoints) holds for ``state``."""
        return state.to_bytes()

    def _build_context(self) -> None:
        self.context = DetectorContext(
            self.config,
            self.blacklist.customers,
            self.blacklist.stores,
            self.model.scorer,
            self.model.version,
            self.model.population_amounts,
        )
        self.compiled = compiled_detector(self.native, self.context) if self.native else None

    def _stored(self, customer: str) -> Any:
        # Read-through cache (``state_cache``): this operator is the only writer of
        # its keys. Every update is still written to Flink state, so checkpoints
        # hold it; a restore re-opens the operator with an empty cache.
        cached = self.cache.get(customer)
        return cached if cached is not None else self.state.value()

    def _state(self, customer: str) -> CustomerFraudState:
        stored = self._stored(customer)
        if stored is None:
            return EMPTY
        if isinstance(stored, CustomerFraudState):
            return stored
        try:
            return self.decode(stored)
        except StateDecodeError as error:
            self.corrupt_state.inc()
            LOGGER.warning("%s: %s", AFRESH, error)
            return EMPTY

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context) -> Iterator[Any]:
        """Score one transaction (its raw JSON) and update its customer's state."""
        if self.blacklist.maybe_refresh():
            self._build_context()
        key = ctx.get_current_key()
        if self.compiled is not None:
            outcome = self.compiled.process(value, self._stored(key))
            if outcome is not None:
                stored, event_ms, alert, rules = outcome
                self.state.update(stored)
                self.cache.put(key, stored)
                self._count(event_ms, alert is not None, rules)
                if alert is not None:
                    yield Row(*alert)
                return
            # Not an event the compiled core is sure of: the reference decides.
        yield from self._score_in_python(value, key)

    def _score_in_python(self, value: str, key: str) -> Iterator[Any]:
        """``core.detect`` and ``to_alert``: the reference, for every event without the core."""
        try:
            txn = Txn.from_json(value)
        except EventParseError:
            self.skipped.inc()  # the transaction-processor sends these to the DLQ
            return
        context = self.context
        try:
            state, decision = detect(self._state(key), txn, context)
            alert = to_alert(txn, decision, context) if decision.alert else None
        except Exception:  # one event must never stop detection for everyone
            # A failure here would fail the task, restore the checkpoint and meet the
            # same record again: a crash loop. Count it, log it, keep the state.
            self.scoring_errors.inc()
            LOGGER.exception("could not score transaction %s", txn.transaction_id)
            return
        encoded = self.encode(state)
        self.state.update(encoded)
        self.cache.put(key, encoded if self.compiled is not None else state)
        rules = sum(1 << i for i, score in enumerate(decision.rules[:5]) if score > 0)
        self._count(txn.timestamp_ms, alert is not None, rules)
        if alert is not None:
            # Its event time comes from the transaction: exact, and no datetime arithmetic.
            yield Row(alert.json_text(), *alert_bronze_row(alert), txn.timestamp_ms)

    def _count(self, event_ms: int, alerted: bool, rules: int) -> None:
        """The metrics of one decision (``rules``: bit i for rule RULE_IDS[i] that fired)."""
        self.decisions.inc()
        self.latency.observe(event_ms)
        self.event_time.saw(event_ms)
        if alerted:
            self.alerts.inc()
            for counter in self.rule_alerts[rules]:
                counter.inc()


def build(
    argv: list[str] | None = None, detector: type[DetectFraud] = DetectFraud
) -> StreamExecutionEnvironment:
    """The job's pipeline, ready to ``execute``, scoring with ``detector``."""
    parser = argparse.ArgumentParser(
        prog="python -m jobs.flink.fraud_detector", description=__doc__
    )
    common_arguments(parser)
    parser.add_argument("--model-dir", help="model.json + forest.npz (rules only without)")
    parser.add_argument("--rules", default=str(RULES_FILE))
    parser.add_argument("--blacklist-refresh-s", type=float, default=60.0)
    # Numba's first compilation deadlocks inside this operator's embedded
    # interpreter (thread mode); the pure-Python backend is exact too (ADR 0012).
    parser.add_argument("--scorer-backend", choices=["python", "numba"], default="python")
    args = parser.parse_args(argv)
    options = job_options(args)
    environment, tables = create_environment(options, drop_unclaimed_state=True)
    tables.execute_sql(
        kafka_raw_source("fraud_source", topics.TRANSACTIONS, CONSUMER_GROUP, options)
    )
    tables.execute_sql(
        jdbc_sink("bronze_alerts", "bronze.raw_fraud_alerts", ALERT_COLUMNS, "alert_id", options)
    )
    dsn = libpq_dsn(options.jdbc_url, options.jdbc_user, options.jdbc_password)
    function = detector(
        args.model_dir,
        dsn,
        args.blacklist_refresh_s,
        args.rules,
        args.scorer_backend,
        args.python_memory_mb * MIB,
    )
    transactions = keyed_by_first_field(
        tables,
        tables.sql_query(KEYED_SOURCE),
        Types.STRING(),
        Types.STRING(),
    )
    # Its own task (thread): the SQL reading the bronze columns and both sinks run
    # beside the Python scoring instead of after it, on every alert (issue #16).
    alerts = (
        transactions.process(function, output_type=ALERT_TYPE)
        .name("detect-fraud")
        .uid(DETECTOR_UID)
        .set_uid_hash(DETECTOR_ID_BEFORE_UID)
        .disable_chaining()
    )
    tables.execute_sql(kafka_event_time_sink("alerts_topic", topics.ALERTS, options))
    tables.create_temporary_view("alerts", tables.from_data_stream(alerts))
    statements = tables.create_statement_set()
    columns = ", ".join(f"`{column}`" for column in ALERT_COLUMNS)
    statements.add_insert_sql(f"INSERT INTO bronze_alerts SELECT {columns} FROM alerts")
    # The record timestamp is the transaction's event time (the aggregator's clock).
    statements.add_insert_sql(
        "INSERT INTO alerts_topic SELECT alert_json, TO_TIMESTAMP_LTZ(event_ms, 3) FROM alerts"
    )
    statements.attach_as_datastream()
    return environment


def main(argv: list[str] | None = None) -> int:
    """Build and run the job until it ends (``--bounded``) or is cancelled."""
    return run(build, JOB_NAME, argv)


if __name__ == "__main__":
    sys.exit(main())
