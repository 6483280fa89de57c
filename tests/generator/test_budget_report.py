"""``budget --report``: a page and a picture per environment, the same numbers as ``budget``."""

import html
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from generator import budget
from generator.budget_report import write_report
from generator.components import REGISTRY
from generator.spec.loading import SPEC_DIR, environments, load
from generator.spec.quantity import format_memory
from generator.tree import render_environment
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
