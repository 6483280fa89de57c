"""Determinism across processes: the same result whatever ``PYTHONHASHSEED`` says.

Comparing two runs in one process cannot see iteration over a set or a dict of
strings whose order depends on the hash seed: both runs share the seed. These
helpers run the same code in fresh interpreters with different seeds and compare
digests of what it computed.
"""

import hashlib
import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO

SEEDS = ("0", "1", "4242")


def digest(value: object) -> str:
    """A digest of a result's ``repr`` (tuples, lists, strings, numbers, dataclasses)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


def digests_across_hash_seeds(code: str) -> dict[str, str]:
    """Seed → digest of ``result`` after running ``code`` in a fresh interpreter."""
    program = textwrap.dedent(code) + (
        "\nfrom tests.determinism import digest\nprint(digest(result))\n"
    )
    found = {}
    for seed in SEEDS:
        finished = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True,
            cwd=REPO, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        found[seed] = finished.stdout.strip().splitlines()[-1]
    return found
