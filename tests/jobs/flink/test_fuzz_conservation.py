"""Fuzzed input through the real transaction-processor and fraud-detector: nothing lost, no crash.

A mix of generated transactions (with the generator's own malformed events),
edge values that once crashed the detector (on blacklisted customers, so they
would alert if accepted), valid extremes, duplicates, oversized records and
random bytes goes through Kafka, both jobs and PostgreSQL. Both jobs run with
Flink's restart strategy off, so a single failed task fails the test instead
of being restarted (the detector "never restarts"). Then every input is in
exactly one of bronze (by transaction id) or the DLQ (by count and error type),
and the alerts are exactly those of the scoring core run over the same events.
"""

import collections
import json
import random
from pathlib import Path

import pytest
from pyflink.common import RestartStrategies

from jobs.events.stream import Event
from jobs.flink import fraud_detector, transaction_processor
from jobs.flink.routing import classify
from libs.models.events import DLQRecord, Transaction
from tests.jobs.flink.conftest import Stack, events, expected_alerts

pytestmark = pytest.mark.integration
EDGE_REJECTED: list[dict[str, object]] = [
    {"amount": "0.004"}, {"amount": "99999999999.99"}, {"amount": "1e-9"}, {"currency": "brl"},
    {"category": "toys"}, {"transaction_id": "t" * 65}, {"latitude": float("nan")},
    {"longitude": float("inf")}, {"latitude": 91.0}, {"amount": 12.5},
    {"transaction_id": "not-a-uuid"}, {"customer_id": "C\u0000"}, {"store_id": ""},
    {"timestamp": "2026-03-02T13:00:00"}, {"schema_version": "2.0"},
]  # fmt: skip
EDGE_ACCEPTED: list[dict[str, object]] = [
    {"amount": "9999999999.99"}, {"amount": "0.01"}, {"latitude": 90.0, "longitude": 180.0},
    {"latitude": -90.0, "longitude": -180.0}, {"currency": "XXX"},
]  # fmt: skip


def fuzz_id(index: int) -> str:
    """A UUID recognisably from this test (the ids the edge variants carry)."""
    return f"00000000-0000-4000-8000-{index:012d}"


def _variant(event: Event, index: int, changes: dict[str, object], customer: str) -> Event:
    payload = json.loads(event.value)
    payload.update({"customer_id": customer, "transaction_id": fuzz_id(index)}, **changes)
    payload.pop("fraud_label", None)
    return event._replace(key=customer.encode(), value=json.dumps(payload).encode(), label=None)


def fuzzed(
    base: list[Event], blacklisted: list[str], seed: int = 7
) -> tuple[list[Event], dict[int, list[Event]]]:
    """The generated events with every kind of hostile record spliced in.

    Also returned: the spliced events of each ``EDGE_REJECTED`` case, by its index.
    """
    rng = random.Random(seed)
    extra: list[Event] = []
    edges: dict[int, list[Event]] = collections.defaultdict(list)
    templates = [e for e in base if e.malformed is None]
    for index in range(240):
        template = rng.choice(templates)
        customer = rng.choice([*blacklisted, json.loads(template.value)["customer_id"]])
        if index % 4 == 0:
            extra.append(_variant(template, index, rng.choice(EDGE_ACCEPTED), customer))
        elif index % 4 == 1:  # every rejected edge, four times over
            case = (index // 4) % len(EDGE_REJECTED)
            edges[case].append(_variant(template, index, EDGE_REJECTED[case], customer))
            extra.append(edges[case][-1])
        elif index % 4 == 2:
            extra.append(template)  # a duplicate: same id, same payload
        elif index % 8 == 3:
            padded = json.loads(template.value) | {"note": "x" * 20_000}
            extra.append(template._replace(value=json.dumps(padded).encode()))
        else:
            extra.append(Event(b"fuzz", rng.randbytes(rng.randint(0, 300)), template.timestamp_ms))
    mixed = list(base)
    for record in extra:
        mixed.insert(rng.randint(0, len(mixed)), record)
    return mixed, edges


def _run(module: object, stack: Stack, *extra: str) -> None:
    environment = module.build(stack.args("--bounded", *extra))  # type: ignore[attr-defined]
    environment.set_restart_strategy(RestartStrategies.no_restart())
    environment.execute(module.JOB_NAME)  # type: ignore[attr-defined]


def test_fuzzed_records_are_conserved_and_alerts_match_the_scoring_core(
    stack: Stack, model_dir: Path
) -> None:
    listed = "SELECT entity_id FROM bronze.blacklist WHERE entity_type = 'customer' LIMIT 3"
    blacklisted = [str(row[0]) for row in stack.query(listed)]
    sent, edges = fuzzed(events(3_000, malformed_rate=0.03), blacklisted)
    stack.produce(sent)
    _run(transaction_processor, stack)
    _run(fraud_detector, stack, "--model-dir", str(model_dir))

    routed = [classify(e.value, e.key, 0, 0) for e in sent]
    accepted = {r.transaction_id for r in routed if isinstance(r, Transaction)}
    rejected = collections.Counter(r.error_type for r in routed if isinstance(r, DLQRecord))
    bronze = {
        str(row[0]) for row in stack.query("SELECT transaction_id FROM bronze.raw_transactions")
    }
    dlq = [json.loads(raw) for raw in stack.read("streamflow.dlq")]
    print(f"inputs={len(sent)} accepted ids={len(accepted)} rejected={sum(rejected.values())} "
          f"by type={dict(rejected)}")  # fmt: skip
    assert bronze == accepted
    assert collections.Counter(record["error_type"] for record in dlq) == rejected
    assert len(sent) == sum(rejected.values()) + sum(isinstance(r, Transaction) for r in routed)
    # Each edge that must be rejected is in the DLQ as it was sent, not merely counted.
    assert sorted(edges) == list(range(len(EDGE_REJECTED)))
    spliced = collections.Counter(e.value.decode() for cases in edges.values() for e in cases)
    payloads = collections.Counter(record["original_payload"] for record in dlq)
    assert not spliced - payloads, f"rejected edges missing from the DLQ: {spliced - payloads}"

    alerts = {json.loads(raw)["transaction_id"] for raw in stack.read("fraud.alerts")}
    print(f"alerts={len(alerts)} (the scoring core's over the same events)")
    assert alerts == expected_alerts(sent, stack, model_dir)
    assert alerts <= bronze
    assert any(a.startswith("00000000-0000-4000-8000-") for a in alerts)  # accepted extremes
