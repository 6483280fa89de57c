"""The CloudNativePG PostgreSQL cluster holding the medallion schemas."""

from typing import Annotated

from pydantic import Field

from generator.spec.common import Image, MemoryQuantity, Name, Resources, StrictModel


class BackupSpec(StrictModel):
    """Daily volume-snapshot backups (six-field cron, seconds first, as CNPG expects).

    Snapshots need a CSI ``VolumeSnapshotClass``. K3s's local-path provisioner
    has none, so without ``snapshot_class`` the ``ScheduledBackup`` is rendered
    suspended (and says why) instead of failing every night.
    """

    schedule: str = Field(pattern=r"^(\S+\s+){5}\S+$")
    snapshot_class: str | None = None


class ExtraDatabase(StrictModel):
    """A further database with its own owner, e.g. Airflow's metadata database.

    The owner's password lives in ``password_secret`` (a basic-auth Secret created
    once by the bootstrap), never in git.
    """

    name: Name
    owner: Name
    password_secret: Name


class MigrationJobSpec(StrictModel):
    """The Job that applies migrations added after the cluster was bootstrapped."""

    image: Image
    resources: Resources


class PostgresSpec(StrictModel):
    """A PostgreSQL ``Cluster``: one database owned by one app user.

    Its schemas and tables come from ``jobs/migrations/sql``: the same files run
    at ``initdb`` (through a generated ConfigMap) and later through the
    migration Job, so there is one copy of the SQL.
    """

    name: Name
    namespace: Name
    image: str = Field(pattern=r"^[^:]+:[0-9][^:]*$")
    instances: Annotated[int, Field(ge=1)]
    database: Name
    owner: Name
    owner_secret: Name
    extra_databases: list[ExtraDatabase] = Field(default_factory=list)
    storage_size: MemoryQuantity
    storage_class: str | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    resources: Resources
    backup: BackupSpec
    migration_job: MigrationJobSpec
