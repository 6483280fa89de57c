"""The CloudNativePG PostgreSQL cluster holding the medallion schemas."""

from typing import Annotated

from pydantic import Field

from generator.spec.common import MemoryQuantity, Name, Resources, StrictModel


class BackupSpec(StrictModel):
    """``ScheduledBackup`` cadence (six-field cron, seconds first, as CNPG expects)."""

    schedule: str = Field(pattern=r"^(\S+\s+){5}\S+$")
    method: str = "volumeSnapshot"


class ExtraDatabase(StrictModel):
    """A further database with its own owner, e.g. Airflow's metadata database.

    The owner's password lives in ``password_secret`` (a basic-auth Secret created
    once by the bootstrap), never in git.
    """

    name: Name
    owner: Name
    password_secret: Name


class PostgresSpec(StrictModel):
    """A PostgreSQL ``Cluster``: one database, owned by one app user, with schemas."""

    name: Name
    namespace: Name
    image: str = Field(pattern=r"^[^:]+:[0-9][^:]*$")
    instances: Annotated[int, Field(ge=1)]
    database: Name
    owner: Name
    schemas: list[Name] = Field(min_length=1)
    extra_databases: list[ExtraDatabase] = Field(default_factory=list)
    storage_size: MemoryQuantity
    storage_class: str | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    resources: Resources
    backup: BackupSpec
