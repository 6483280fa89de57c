from pathlib import Path

from cosmos import DbtResourceType
from cosmos.dbt.graph import DbtNode
from streamflow_dags.quality import TestTask, plan_test_tasks


def node(unique_id: str, kind: DbtResourceType, path: str, *parents: str) -> DbtNode:
    return DbtNode(
        unique_id=unique_id,
        resource_type=kind,
        depends_on=list(parents),
        path_base=Path("/dbt"),
        original_file_path=Path(path),
    )


MODEL, TEST = DbtResourceType.MODEL, DbtResourceType.TEST
NODES = [
    node("model.streamflow.stg_a", MODEL, "models/staging/stg_a.sql"),
    node("model.streamflow.dim_b", MODEL, "models/marts/dim_b.sql"),
    node(
        "test.streamflow.not_null_stg_a_id.1a",
        TEST,
        "models/staging/_s.yml",
        "model.streamflow.stg_a",
    ),
    node(
        "test.streamflow.unique_stg_a_id.2b",
        TEST,
        "models/staging/_s.yml",
        "model.streamflow.stg_a",
    ),
    node(
        "test.streamflow.relationships_stg_a_b.3c",
        TEST,
        "models/staging/_s.yml",
        "model.streamflow.stg_a",
        "model.streamflow.dim_b",
    ),
    node(
        "test.streamflow.unique_bronze_raw_id.4d",
        TEST,
        "models/sources.yml",
        "source.streamflow.bronze.raw",
    ),
    node("test.streamflow.assert_fresh", TEST, "tests/assert_fresh.sql", "model.streamflow.stg_a"),
]


def test_tests_group_by_their_single_parent_and_cross_checks_stand_alone() -> None:
    assert plan_test_tasks(NODES) == [
        TestTask("assert_fresh", ("assert_fresh",)),
        TestTask("relationships_stg_a_b", ("relationships_stg_a_b",)),
        TestTask("test_source_bronze_raw", ("unique_bronze_raw_id",)),
        TestTask("test_stg_a", ("not_null_stg_a_id", "unique_stg_a_id")),
    ]


def test_the_plan_does_not_depend_on_node_order() -> None:
    assert plan_test_tasks(reversed(NODES)) == plan_test_tasks(NODES)


def test_models_alone_make_no_tasks() -> None:
    assert plan_test_tasks(NODES[:2]) == []
