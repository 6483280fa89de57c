"""The fraud-detector where its compiled scoring core cannot be imported (issue #29).

What a wrong platform or a missing build looks like to the job: the module's import
fails. ``test_fraud_detector`` runs this on a real mini-cluster and checks that it
scores every event in Python, the same decisions, and says so once in its log and on
the ``compiled_scoring`` gauge.

    python -m tests.jobs.flink.without_compiled_core <the fraud-detector's arguments>
"""

import functools
import sys

from jobs.flink.environment import run
from jobs.flink.fraud_detector import JOB_NAME, DetectFraud, build

MISSING = "streamflow_scoring_not_built"


class WithoutCompiledCore(DetectFraud):
    """The deployed detector, importing a core module that is not there."""

    scoring_core = MISSING


def main(argv: list[str] | None = None) -> int:
    """Run the detector without its compiled core, with the fraud-detector's arguments."""
    return run(functools.partial(build, detector=WithoutCompiledCore), JOB_NAME, argv)


if __name__ == "__main__":
    # Imported by name, so Flink's embedded interpreter unpickles the class by reference.
    from tests.jobs.flink.without_compiled_core import main as release_main

    sys.exit(release_main())
