"""Time `generator render` (all environments) against `kustomize build` of all overlays.

Both are measured as whole processes, alternating A B A B so machine drift hits
both alike; the script prints each median and the ratio render / kustomize.
Render runs as a developer runs it: re-rendering an existing tree (it reads,
compares and rewrites only what changed), here into a scratch directory.
Target (issue #2): ratio <= 1.0. Run with `make bench`.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.commands.tools import tool

REPO = Path(__file__).resolve().parent.parent
RUNS = 15


def _render(out: Path) -> Callable[[], None]:
    command = [
        sys.executable,
        "-m",
        "generator",
        "--specs",
        str(REPO / "specs"),
        "--out",
        str(out),
        "render",
    ]

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)

    return run


def _kustomize() -> Callable[[], None]:
    kustomize = tool("kustomize")
    overlays = sorted(p for p in (REPO / "overlays").glob("*/*") if p.is_dir())

    def run() -> None:
        for overlay in overlays:
            subprocess.run([kustomize, "build", str(overlay)], check=True, capture_output=True)

    return run


def _timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    """Warm up once, then alternate the two commands and report medians and ratio."""
    with tempfile.TemporaryDirectory() as scratch:
        render, kustomize = _render(Path(scratch)), _kustomize()
        render()
        kustomize()
        pairs = [(_timed(render), _timed(kustomize)) for _ in range(RUNS)]
    render_times, kustomize_times = zip(*pairs, strict=True)
    ratios = [r / k for r, k in pairs]
    overlays = len(list((REPO / "overlays").glob("*/*")))
    print(f"runs: {RUNS} alternating pairs after one warm-up")
    print(
        f"render (all environments, one process):  median {statistics.median(render_times):.3f} s"
    )
    print(
        f"kustomize build ({overlays} overlays, 1 process each): "
        f"median {statistics.median(kustomize_times):.3f} s"
    )
    print(
        f"ratio render / kustomize: median {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}); target <= 1.00"
    )


if __name__ == "__main__":
    main()
