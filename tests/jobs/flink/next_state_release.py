"""A build of the fraud-detector whose state schema is one minor version newer (v1.1).

It plays the next release against this one in ``test_state_upgrade``: v1.1
appends a CRC-32 of the v1.0 body (what a release adding an integrity check
would do), the only kind of change a minor version may make. It reads v1.0
bytes (no checksum yet: the customer is upgraded on its next write) and writes
v1.1, which this release's reader must take by skipping what it does not know.

    python -m tests.jobs.flink.next_state_release <the fraud-detector's arguments>
"""

import functools
import logging
import struct
import sys
import zlib

from jobs.flink.environment import run
from jobs.flink.fraud_detector import JOB_NAME, DetectFraud, build
from libs.models.state import MAGIC, CustomerFraudState, StateDecodeError

NEXT_MINOR = 1
_HEADER = struct.Struct("<2sBBI")
_CRC = struct.Struct("<I")
LOGGER = logging.getLogger("streamflow.next_state_release")
UPGRADING = "next release: reading a v1.0 state, writing it back as v1.1"


def encode_v1_1(state: CustomerFraudState) -> bytes:
    """The v1.0 layout with minor 1 and the body's CRC-32 appended."""
    body = state.to_bytes()[_HEADER.size :]
    return (
        _HEADER.pack(MAGIC, 1, NEXT_MINOR, len(body) + _CRC.size)
        + body
        + _CRC.pack(zlib.crc32(body))
    )


def decode_v1_1(data: bytes) -> tuple[CustomerFraudState, int]:
    """A state of minor 0 or 1 and the minor it was written with; a bad checksum is refused."""
    state = CustomerFraudState.from_bytes(data)  # every 1.x layout, appended parts skipped
    minor = _HEADER.unpack_from(data)[2]
    if minor >= NEXT_MINOR:
        body = state.to_bytes()[_HEADER.size :]
        end = _HEADER.size + len(body)
        (stored,) = _CRC.unpack_from(data, end)
        if data[_HEADER.size : end] != body or stored != zlib.crc32(body):
            raise StateDecodeError(f"state v1.{minor} fails its CRC-32 check")
    return state, minor


class NextReleaseDetectFraud(DetectFraud):
    """The detector with the v1.1 state codec; says once that it upgraded a v1.0 state."""

    upgraded = False
    scoring_core = None  # the compiled core speaks v1.0 only: this release scores in Python

    @staticmethod
    def decode(stored: bytes) -> CustomerFraudState:
        state, minor = decode_v1_1(stored)
        if minor < NEXT_MINOR and not NextReleaseDetectFraud.upgraded:
            NextReleaseDetectFraud.upgraded = True
            LOGGER.info(UPGRADING)
        return state

    @staticmethod
    def encode(state: CustomerFraudState) -> bytes:
        return encode_v1_1(state)


def main(argv: list[str] | None = None) -> int:
    """Run the next release's detector with the fraud-detector's arguments."""
    return run(functools.partial(build, detector=NextReleaseDetectFraud), JOB_NAME, argv)


if __name__ == "__main__":
    # Run from the module by its name, not as __main__: the function is then pickled
    # by reference and imported by Flink's embedded interpreter, like a real release.
    from tests.jobs.flink.next_state_release import main as release_main

    sys.exit(release_main())
