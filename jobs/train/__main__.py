"""``python -m jobs.train``: train the fraud Isolation Forest and write its artifact.

By default it trains on events from the generator (``--events``, ``--seed``);
``--input events.jsonl`` trains on a file instead. Metrics are computed on the
later, held-out share of the events.
"""

import argparse
import json
import sys
from pathlib import Path

from jobs.events.world import build_world
from jobs.train.dataset import from_jsonl, generated, replay
from jobs.train.training import TrainingSettings, train
from libs.detection.config import RULES_FILE, load_rules


def main(argv: list[str] | None = None) -> int:
    """Train, print the metrics, write ``model.json`` and ``forest.npz``."""
    cli = argparse.ArgumentParser(
        prog="python -m jobs.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument("--output", type=Path, default=Path("models/fraud-iforest"))
    cli.add_argument("--input", type=Path, help="JSON lines of transactions")
    cli.add_argument("--events", type=int, default=200_000, help="generated events")
    cli.add_argument("--seed", type=int, default=42, help="generator world and forest seed")
    cli.add_argument("--trees", type=int, default=100)
    cli.add_argument("--max-samples", type=int, default=256)
    cli.add_argument("--train-share", type=float, default=0.7)
    cli.add_argument("--rules", type=Path, default=RULES_FILE)
    args = cli.parse_args(argv)
    config = load_rules(args.rules)
    world = build_world(args.seed)
    payloads = from_jsonl(args.input) if args.input else generated(args.seed, args.events, world)
    dataset = replay(
        payloads,
        config,
        frozenset(world.blacklisted_customers),
        frozenset(world.blacklisted_stores),
    )
    settings = TrainingSettings(args.seed, args.trees, args.max_samples, args.train_share)
    manifest = train(dataset, config, settings, args.output)
    print(json.dumps({"model_version": manifest.model_version, **manifest.metrics}, indent=2))
    print(f"wrote {args.output}/model.json and forest.npz", file=sys.stderr)
    return 0


def train_small(directory: Path, seed: int) -> int:
    """A small model (20 000 events, 30 trees) in seconds: for tests and the demo."""
    return main(["--output", str(directory), "--events", "20000", "--trees", "30",
                 "--seed", str(seed)])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
