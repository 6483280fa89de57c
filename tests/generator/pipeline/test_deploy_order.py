"""The deploy-order page shows every Application with its wave and what it waits for."""

from generator.pipeline.deploy_order import table
from generator.pipeline.load import load
from generator.pipeline.tree import DEPLOY_ORDER, render_environment
from tests.conftest import REPO, Workspace


def _application(name: str, wave: int, **source: str) -> dict[str, object]:
    return {"metadata": {"name": name, "annotations": {"argocd.argoproj.io/sync-wave": str(wave)}},
            "spec": {"source": source, "destination": {"namespace": f"ns-{name}"}}}  # fmt: skip


def test_each_wave_waits_for_the_one_before_it() -> None:
    rows = table([_application("jobs", 3, path="overlays/dev/jobs"),
                  _application("kafka", 2, path="overlays/dev/kafka"),
                  _application("operator", 1, chart="op", targetRevision="1.0"),
                  _application("db", 2, path="overlays/dev/db")])  # fmt: skip
    assert rows[2:] == [
        "| 1 | operator | Helm chart `op` 1.0 | ns-operator | nothing: the first wave |",
        "| 2 | db | `overlays/dev/db` | ns-db | wave 1 healthy: operator |",
        "| 2 | kafka | `overlays/dev/kafka` | ns-kafka | wave 1 healthy: operator |",
        "| 3 | jobs | `overlays/dev/jobs` | ns-jobs | wave 2 healthy: db, kafka |",
    ]


def test_the_committed_page_lists_every_application_of_every_environment() -> None:
    page = (REPO / DEPLOY_ORDER).read_text(encoding="utf-8")
    for env in ("dev", "prod"):
        section = page.split(f"## {env}\n", 1)[1].split("\n## ", 1)[0]
        environment = render_environment(load(env, REPO / "specs"))
        for application in environment.applications:
            wave = application["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            assert f"| {wave} | {application['metadata']['name']} |" in section


def test_a_changed_wave_makes_the_page_stale(rendered: Workspace) -> None:
    def later(data: dict[str, object]) -> None:
        releases = data["helm_releases"]
        assert isinstance(releases, list)
        airflow = next(r for r in releases if r["name"] == "airflow")
        airflow["wave"] = 5

    rendered.edit("platform.yaml", later)
    assert rendered.run("render", "--check") == 1
    assert rendered.run("render") == 0
    assert "| 5 | airflow |" in (rendered.root / DEPLOY_ORDER).read_text(encoding="utf-8")
