from datetime import UTC, datetime

from jobs.backfill.rows import PARTITIONS, Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
from jobs.flink.routing import ALERT_COLUMNS, BRONZE_COLUMNS
from tests.determinism import digest, digests_across_hash_seeds

DETECTED = datetime(2026, 11, 27, tzinfo=UTC)


def test_every_event_becomes_a_row_or_a_dead_letter() -> None:
    stream = EventStream(GeneratorConfig(seed=1, malformed_rate=0.05))
    batch = Replayer.for_world(stream.world).replay(take(iter(stream), 5_000), DETECTED)
    assert len(batch.transactions) + batch.dead_letters == 5_000
    assert batch.dead_letters > 100
    assert all(len(row) == len(BRONZE_COLUMNS) for row in batch.transactions)


def test_alerts_are_raised_by_the_scoring_core_with_the_given_detection_time() -> None:
    stream = EventStream(GeneratorConfig(seed=2))
    batch = Replayer.for_world(stream.world).replay(take(iter(stream), 20_000), DETECTED)
    assert batch.alerts
    detected_at = ALERT_COLUMNS.index("detected_at")
    assert {row[detected_at] for row in batch.alerts} == {DETECTED.isoformat()}


def test_partitions_and_offsets_continue_across_batches() -> None:
    stream = EventStream(GeneratorConfig(seed=3))
    events, replay = iter(stream), Replayer.for_world(stream.world)
    first = replay.replay(take(events, 300), DETECTED)
    second = replay.replay(take(events, 300), DETECTED)
    partition, offset = (
        BRONZE_COLUMNS.index("source_partition"),
        BRONZE_COLUMNS.index("source_offset"),
    )
    seen = [
        (row[partition], int(str(row[offset]))) for row in first.transactions + second.transactions
    ]
    assert len(set(seen)) == 600
    assert {int(str(p)) for p, _ in seen} <= set(range(PARTITIONS))
    assert sum(replay.offsets) == 600


ROWS = """
from datetime import UTC, datetime
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
stream = EventStream(GeneratorConfig(seed=4))
batch = Replayer.for_world(stream.world).replay(
    take(iter(stream), 1_000), datetime(2026, 11, 27, tzinfo=UTC)
)
result = (batch.transactions, batch.alerts, batch.dead_letters)
"""


def test_the_same_seed_gives_the_same_rows_in_any_process() -> None:
    namespace: dict[str, object] = {}
    exec(ROWS, namespace)
    assert set(digests_across_hash_seeds(ROWS).values()) == {digest(namespace["result"])}
