"""JVM-side keying gives the keyed Python function the (key, value) that key_by would."""

from collections.abc import Iterator

import pytest
from pyflink.common import Types
from pyflink.datastream import KeyedProcessFunction

from jobs.flink.environment import JobOptions, create_environment
from jobs.flink.keying import keyed_by_first_field

pytestmark = pytest.mark.integration

OPTIONS = JobOptions(
    bootstrap_servers="unused:9092",
    jdbc_url="jdbc:postgresql://unused/streamflow",
    jdbc_user="unused",
    jdbc_password="",
    parallelism=2,
    checkpoint_interval_ms=None,
    checkpoint_dir=None,
    savepoint=None,
    bounded=True,
    group_suffix="",
)


class RunningCount(KeyedProcessFunction):  # type: ignore[misc]
    """Counts values per key in keyed state: proves partitioning and state use the key."""

    def open(self, runtime_context: object) -> None:
        from pyflink.datastream.state import ValueStateDescriptor  # noqa: PLC0415

        self.count = runtime_context.get_state(  # type: ignore[attr-defined]
            ValueStateDescriptor("count", Types.INT())
        )

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context) -> Iterator[str]:
        seen = (self.count.value() or 0) + 1
        self.count.update(seen)
        yield f"{ctx.get_current_key()}|{value}|{seen}"


@pytest.mark.parametrize("execution_mode", ["thread", "process"])
def test_values_reach_the_keyed_function_with_their_key_and_state(execution_mode: str) -> None:
    _, tables = create_environment(OPTIONS, execution_mode)
    pairs = tables.sql_query(
        "SELECT k, v FROM (VALUES ('C1', 'a'), ('C2', 'b'), ('C1', 'c'), ('C1', 'd')) AS T(k, v)"
    )
    keyed = keyed_by_first_field(tables, pairs, Types.STRING(), Types.STRING())
    with keyed.process(RunningCount(), output_type=Types.STRING()).execute_and_collect() as rows:
        results = sorted(rows)
    assert results == ["C1|a|1", "C1|c|2", "C1|d|3", "C2|b|1"]
