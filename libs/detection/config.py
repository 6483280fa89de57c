"""The rules file (``rules.toml``), validated: one place for thresholds, weights, alpha."""

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

RULES_FILE = Path(__file__).with_name("rules.toml")
Weight = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Ramp(_Strict):
    @model_validator(mode="after")
    def _ramp_rises(self) -> "_Ramp":
        start, full = self.ramp()
        if full <= start:
            raise ValueError(f"ramp end {full} must be above its start {start}")
        return self

    def ramp(self) -> tuple[float, float]:
        """(start, full) of this rule's signal."""
        raise NotImplementedError


class HighValue(_Ramp):
    """FR-001: against the customer's own history, or the population's while it is short."""

    min_history: Annotated[int, Field(ge=2)]
    z_start: float
    z_full: float
    min_ratio: Annotated[float, Field(ge=1.0)]
    std_floor_ratio: Annotated[float, Field(ge=0.0)]
    population_start: Annotated[float, Field(gt=0.0)]
    population_full: float
    cold_start_amount: Annotated[float, Field(gt=0.0)]
    weight: Weight

    @model_validator(mode="after")
    def _population_ramp_rises(self) -> "HighValue":
        if self.population_full <= self.population_start:
            raise ValueError(
                f"population_full {self.population_full} must be above "
                f"population_start {self.population_start}"
            )
        return self

    def ramp(self) -> tuple[float, float]:
        """Z-scores where the score starts and saturates."""
        return self.z_start, self.z_full


class Velocity(_Ramp):
    """FR-002."""

    window_seconds: Annotated[int, Field(ge=1)]
    start_count: Annotated[int, Field(ge=1)]
    full_count: int
    weight: Weight

    def ramp(self) -> tuple[float, float]:
        """Counts (this transaction included) where the score starts and saturates."""
        return self.start_count, self.full_count


class ImpossibleTravel(_Ramp):
    """FR-003."""

    min_km: Annotated[float, Field(ge=0.0)]
    speed_start_kmh: float
    speed_full_kmh: float
    trust_below: Weight
    weight: Weight

    def ramp(self) -> tuple[float, float]:
        """Speeds where the score starts and saturates."""
        return self.speed_start_kmh, self.speed_full_kmh


class UnusualHour(_Ramp):
    """FR-004."""

    min_history: Annotated[int, Field(ge=1)]
    z_start: float
    z_full: float
    weight: Weight

    def ramp(self) -> tuple[float, float]:
        """Circular z-scores where the score starts and saturates."""
        return self.z_start, self.z_full


class Blacklist(_Strict):
    """FR-005."""

    weight: Weight


class RulesConfig(_Strict):
    """Everything in ``rules.toml``."""

    alert_threshold: Annotated[float, Field(gt=0.0, le=1.0)]
    alpha: Weight
    high_value: HighValue
    velocity: Velocity
    impossible_travel: ImpossibleTravel
    unusual_hour: UnusualHour
    blacklist: Blacklist


class RulesFileError(ValueError):
    """The rules file is missing or invalid; the message names file and field."""


def load_rules(path: Path = RULES_FILE) -> RulesConfig:
    """Parse and validate the rules file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return RulesConfig.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RulesFileError(f"{path}: {error}") from error
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))} = {e.get('input')!r}: {e['msg']}"
            for e in error.errors()
        )
        raise RulesFileError(f"{path}: {problems}") from error
