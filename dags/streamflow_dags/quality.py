"""Which dbt tests run together in the dbt_quality DAG.

One Airflow task per test would cost one dbt start-up (~3 s of CPU) per test:
about 180 every 15 minutes, most of a core on the dev node. Instead:

- the tests on one model (or one source table) run as one task,
  ``test_<model>``; its log lists every test with PASS/FAIL;
- a test with several parents (a relationship between marts, a singular test
  over several models) and every singular test gets a task of its own.

So a failing task names the model, or the cross-model check, at a glance,
and a whole run costs a couple of dozen dbt invocations.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from cosmos import DbtResourceType
from cosmos.dbt.graph import DbtNode


@dataclass(frozen=True)
class TestTask:
    """One Airflow task: its id and the dbt tests it selects (by name)."""

    task_id: str
    tests: tuple[str, ...]


def test_name(test: DbtNode) -> str:
    """The name ``dbt test --select`` takes (a generic test's unique id ends in a hash)."""
    return str(test.unique_id).split(".")[2]


def _owner(parent_id: str) -> str:
    """``test_<model>`` or ``test_source_<source>_<table>``."""
    kind, _package, name = parent_id.split(".", 2)
    return f"test_{name}" if kind == "model" else f"test_{kind}_{name.replace('.', '_')}"


def plan_test_tasks(nodes: Iterable[DbtNode]) -> list[TestTask]:
    """Group the project's tests into tasks, sorted by task id (deterministic DAG shape)."""
    tasks: dict[str, list[str]] = {}
    for test in (n for n in nodes if n.resource_type == DbtResourceType.TEST):
        parents = sorted(set(test.depends_on))
        singular = test.original_file_path.parts[:1] == ("tests",)
        task_id = _owner(parents[0]) if len(parents) == 1 and not singular else test_name(test)
        tasks.setdefault(task_id, []).append(test_name(test))
    return [TestTask(task_id, tuple(sorted(tasks[task_id]))) for task_id in sorted(tasks)]
