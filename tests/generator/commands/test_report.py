"""``budget --report``: a page and a picture per environment, the same numbers as ``budget``."""

import html
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from generator.commands.report import ReportError, write_report
from generator.components import REGISTRY
from generator.pipeline import budget
from generator.pipeline.load import SPEC_DIR, environments, load
from generator.pipeline.tree import render_environment
from generator.spec.quantity import format_memory
from tests.conftest import Workspace


@pytest.mark.parametrize("env", environments(SPEC_DIR))
def test_the_report_holds_every_workload_and_the_budget_totals(env: str, tmp_path: Path) -> None:
    report = budget.footprints(render_environment(load(env, SPEC_DIR, REGISTRY)))
    page, svg, png = write_report(report, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert html.escape(budget.table(report)) in text  # every row, the totals, the verdict
    for footprint in report.footprints:
        assert footprint.workload in text
    title = f"peak memory requests {format_memory(report.peak_memory)} of "
    assert title + format_memory(report.budget) in text  # the picture's title, inline
    with Image.open(png) as picture:
        picture.verify()
        assert picture.format == "PNG" and picture.size[0] >= 800
    assert ElementTree.parse(svg).getroot().tag.endswith("svg")
    again = write_report(report, tmp_path / "again")
    assert again[1].read_bytes() == svg.read_bytes(), "the SVG is not byte-identical"


def test_budget_report_on_the_command_line(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("budget", "--env", "dev", "--report", str(tmp_path / "out")) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "budget-dev.html", "budget-dev.png", "budget-dev.svg"]  # fmt: skip


RECORD = Path(__file__).resolve().parents[3] / "benchmarks" / "results" / "footprint-dev.json"


def _record(tmp_path: Path, dag_processor_mib: float) -> Path:
    """A footprint record of its own: figures this test chose, not a re-recordable file's."""
    record = tmp_path / "measured.json"
    record.write_text(json.dumps({"environment": "dev", "components": [
        {"name": "airflow dag-processor", "workloads": ["dag-processor"],
         "steady_mib": dag_processor_mib, "peak_mib": 300.0,
         "note": "measured under the test load"}]}))  # fmt: skip
    return record


@pytest.mark.parametrize(
    ("steady_mib", "shown", "verdict"),
    [(100.0, "100Mi", "request covers steady use"), (999.0, "999Mi", "request below steady use")],
)
def test_the_measured_footprints_stand_beside_the_requests(
    tmp_path: Path, steady_mib: float, shown: str, verdict: str
) -> None:
    report = budget.footprints(render_environment(load("dev", SPEC_DIR, REGISTRY)))
    page, *_ = write_report(report, tmp_path, _record(tmp_path, steady_mib))
    text = page.read_text(encoding="utf-8")
    assert "<h2>Measured beside requested</h2>" in text
    row = text[text.index("<td>airflow dag-processor</td>") :].split("</tr>")[0]
    requested = next(f.total for f in report.footprints if f.workload == "dag-processor")
    assert f"<td>{format_memory(requested.memory_request)}</td>" in row
    assert f"<td>{shown}</td>" in row and verdict in row
    assert "measured under the test load" in text  # the record's caveat is shown with it


def test_the_committed_record_names_only_workloads_of_the_environment(tmp_path: Path) -> None:
    report = budget.footprints(render_environment(load("dev", SPEC_DIR, REGISTRY)))
    page, *_ = write_report(report, tmp_path, RECORD)
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))["components"]
    text = page.read_text(encoding="utf-8")
    assert all(f"<td>{component['name']}</td>" in text for component in recorded)


def test_a_record_naming_an_unknown_workload_writes_nothing(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"environment": "dev", "components": [
        {"name": "cache", "workloads": ["redis"], "steady_mib": 1, "peak_mib": 2}]}))  # fmt: skip
    report = budget.footprints(render_environment(load("dev", SPEC_DIR, REGISTRY)))
    with pytest.raises(
        ReportError, match=r"record\.json: component 'cache': workloads \['redis'\]"
    ):
        write_report(report, tmp_path / "out", record)
    assert not (tmp_path / "out").exists()


def test_measured_needs_the_environment_it_was_measured_in(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.run("budget", "--report", str(tmp_path), "--measured", str(RECORD)) == 2
    assert "--measured FILE needs --report DIR and the --env" in capsys.readouterr().err
    argv = ("budget", "--env", "dev", "--report", str(tmp_path / "dev"), "--measured", str(RECORD))
    assert workspace.run(*argv) == 0
    assert "Measured beside requested" in (tmp_path / "dev" / "budget-dev.html").read_text()
