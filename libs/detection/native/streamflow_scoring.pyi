# Types of the compiled scoring core (libs/detection/native/src/lib.rs); maturin ships this.
from typing import Any

class Detector:
    def __init__(
        self,
        rules: dict[str, Any],
        cos: list[float],
        sin: list[float],
        namespace: bytes,
        population: dict[str, float],
        forest: tuple[list[int], list[int], list[int], list[float], list[float], list[int], float]
        | None = None,
        model_version: str | None = None,
    ) -> None: ...
    def set_blacklist(self, customers: set[str], stores: set[str]) -> None: ...
    def process(
        self, raw: str, stored: bytes | None, detected_at_us: int | None = None
    ) -> tuple[bytes, int, tuple[Any, ...] | None, int] | None: ...
    def explain(
        self, raw: str, stored: bytes | None
    ) -> (
        tuple[
            tuple[list[float], float],
            list[float],
            float | None,
            float,
            bool,
            bytes,
        ]
        | None
    ): ...

def parse_transaction(
    raw: str,
) -> tuple[str, str, str, float, str, str, int, float, float, str] | None: ...
def hypot(x: float, y: float) -> float: ...
