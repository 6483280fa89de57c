"""The fraud-detector's per-event work outside Flink: the Python reference against compiled options.

One event as the job handles it: the raw JSON and the customer's stored state
bytes in; parse and validate, decode, signals, rules, features, the forest when
it could change the decision, blend, the next state's bytes, and the alert's
JSON when it alerts. Over the same generated events (with a trained model; the
ordinary world and an alert storm), microseconds per event of:

- python: ``Txn.from_json`` + ``detect`` + ``to_alert(...).json_text()`` (the reference);
- mypyc: the same code with ``libs/detection``'s scoring modules compiled by mypyc
  (built into a scratch directory first; pydantic's parse and models stay as they are);
- rust: the compiled core (``streamflow_scoring.Detector.process``, libs/detection/native).

Each option runs in its own process, the options alternate for ROUNDS rounds, and
the medians with their spread are printed, with the ratios to the reference (ADR 0021).
Run: `.venv-jobs/bin/python benchmarks/scoring_core.py`.
"""

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobs.events.stream import EventStream, GeneratorConfig
from jobs.events.world import build_world
from jobs.train.__main__ import train_small
from libs.detection.config import load_rules
from libs.detection.core import DetectorContext
from libs.ml.loader import load_model

REPO = Path(__file__).resolve().parents[1]
EVENTS = 30_000
ROUNDS = int(os.environ.get("THROUGHPUT_ROUNDS", "3"))
OPTIONS = ("python", "mypyc", "rust")
MYPYC_MODULES = ("signals", "rules", "features", "history", "geo", "core")
WORLDS = ("ordinary", "storm")


def context(model_dir: Path, storm: bool) -> DetectorContext:
    """The job's context: rules, the world's blacklist (every store in a storm), the model."""
    world = build_world(42)
    model = load_model(model_dir, backend="python")
    stores = {s.store_id for s in world.stores} if storm else world.blacklisted_stores
    return DetectorContext(load_rules(), frozenset(world.blacklisted_customers),
                           frozenset(stores), model.scorer, model.version,
                           model.population_amounts)  # fmt: skip


def python_step(ctx: DetectorContext) -> Any:
    """The reference's work on one event (imported late: mypyc's build may shadow it)."""
    from libs.detection.core import detect, to_alert  # noqa: PLC0415
    from libs.detection.transaction import Txn  # noqa: PLC0415
    from libs.models.events import EventParseError  # noqa: PLC0415
    from libs.models.state import CustomerFraudState  # noqa: PLC0415

    at = datetime.now(UTC)

    def step(raw: str, stored: bytes | None) -> bytes | None:
        try:
            txn = Txn.from_json(raw)
        except EventParseError:
            return None
        state = CustomerFraudState() if stored is None else CustomerFraudState.from_bytes(stored)
        following, decision = detect(state, txn, ctx)
        if decision.alert:
            to_alert(txn, decision, ctx, at).json_text()
        return following.to_bytes()

    return step


def rust_step(ctx: DetectorContext) -> Any:
    """The compiled core's work on one event."""
    from libs.detection.compiled import compiled_detector, load_native  # noqa: PLC0415

    native = load_native()
    assert native is not None, "make setup builds the compiled core"
    detector = compiled_detector(native, ctx)

    def step(raw: str, stored: bytes | None) -> bytes | None:
        outcome = detector.process(raw, stored)
        return None if outcome is None else outcome[0]

    return step


def measure(option: str, model_dir: Path, storm: bool) -> float:
    """Microseconds per event of ``option`` over the same EVENTS events (in this process)."""
    ctx = context(model_dir, storm)
    step = rust_step(ctx) if option == "rust" else python_step(ctx)
    events = [(e.key.decode(), e.value.decode())
              for e in itertools.islice(EventStream(GeneratorConfig(seed=42)), EVENTS)]  # fmt: skip
    states: dict[str, bytes] = {}
    started = time.perf_counter()
    for key, raw in events:
        following = step(raw, states.get(key))
        if following is not None:
            states[key] = following
    return (time.perf_counter() - started) / len(events) * 1e6


def build_mypyc(directory: Path) -> None:
    """Compile libs/detection's scoring modules with mypyc into ``directory``."""
    subprocess.run(["git", "archive", "--format=tar", "-o", str(directory / "src.tar"), "HEAD",
                    "libs", "pyproject.toml"], cwd=REPO, check=True)  # fmt: skip
    subprocess.run(["tar", "xf", "src.tar"], cwd=directory, check=True)
    sources = [f"libs/detection/{name}.py" for name in MYPYC_MODULES]
    subprocess.run([str(Path(sys.executable).with_name("mypyc")), "--config-file",
                    "pyproject.toml", *sources], cwd=directory, check=True,
                   capture_output=True)  # fmt: skip


def run_option(option: str, model_dir: Path, storm: bool, mypyc_dir: Path) -> float:
    """One measurement in a fresh process (mypyc's modules first on its path)."""
    path = [str(mypyc_dir)] if option == "mypyc" else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*path, str(REPO)])}
    command = [sys.executable, __file__, "--measure", option, "--model-dir", str(model_dir)]
    output = subprocess.run([*command, *(["--storm"] if storm else [])], env=env, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    return float(output.strip().splitlines()[-1])


def main() -> None:
    """Build mypyc's option and a model, then alternate the options; print medians and ratios."""
    with tempfile.TemporaryDirectory() as scratch:
        model_dir, mypyc_dir = Path(scratch) / "model", Path(scratch) / "mypyc"
        mypyc_dir.mkdir()
        assert train_small(model_dir, 42) == 0
        started = time.perf_counter()
        build_mypyc(mypyc_dir)
        print(f"mypyc build: {time.perf_counter() - started:.0f} s")
        timings: dict[tuple[str, str], list[float]] = {}
        for _ in range(ROUNDS):
            for world, option in itertools.product(WORLDS, OPTIONS):
                value = run_option(option, model_dir, world == "storm", mypyc_dir)
                timings.setdefault((world, option), []).append(value)
            print("  " + ", ".join(f"{w}/{o} {v[-1]:.1f}" for (w, o), v in timings.items()))
    for world in WORLDS:
        reference = timings[(world, "python")]
        for option in OPTIONS:
            values = timings[(world, option)]
            ratios = [r / v for r, v in zip(reference, values, strict=True)]
            print(f"{world:8} {option:6} {statistics.median(values):7.1f} us/event "
                  f"(min {min(values):.1f}, max {max(values):.1f}); "
                  f"python / {option} {statistics.median(ratios):5.1f}x "
                  f"({min(ratios):.1f}-{max(ratios):.1f})")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", choices=OPTIONS, help="one measurement (internal)")
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--storm", action="store_true")
    args = parser.parse_args()
    if args.measure:
        print(measure(args.measure, args.model_dir, args.storm))
    else:
        main()
