"""The CloudNativePG PostgreSQL cluster holding the medallion schemas."""

from typing import Annotated

from pydantic import Field, model_validator

from generator.spec.common import FieldError, Image, MemoryQuantity, Name, Resources, StrictModel
from libs.contracts.warehouse.catalog import schemas
from libs.contracts.warehouse.grants import IDENTIFIER, Access, RoleAccess, conflicts

RoleName = Annotated[str, Field(pattern=IDENTIFIER.pattern)]


class DumpSpec(StrictModel):
    """Scheduled logical backups: ``pg_dump`` archives on a volume of their own.

    What works on any storage class, ``local-path`` included: a CronJob with the
    cluster's own image (its ``pg_dump`` matches the server) runs
    ``jobs/backup/pg_dump.sh`` as the owner, keeps the newest ``keep`` archives,
    and counts in the budget as a pod that can start at any time.
    """

    schedule: str = Field(pattern=r"^(\S+\s+){4}\S+$")  # a CronJob's five fields
    keep: Annotated[int, Field(ge=1, le=90)]
    storage_size: MemoryQuantity
    storage_class: str | None = None
    resources: Resources


class BackupSpec(StrictModel):
    """Daily volume-snapshot backups (six-field cron, seconds first, as CNPG expects).

    Snapshots need a CSI ``VolumeSnapshotClass``. K3s's local-path provisioner
    has none, so without ``snapshot_class`` the ``ScheduledBackup`` is rendered
    suspended (and says why) instead of failing every night; ``dump`` is the
    backup that works there (docs/adr/0019-dev-backups.md).
    """

    schedule: str = Field(pattern=r"^(\S+\s+){5}\S+$")
    snapshot_class: str | None = None
    dump: DumpSpec | None = None


class ExtraDatabase(StrictModel):
    """A further database with its own owner, e.g. Airflow's metadata database.

    The owner's password lives in ``password_secret`` (a basic-auth Secret created
    once by the bootstrap), never in git.
    """

    name: Name
    owner: Name
    password_secret: Name


class WarehouseRole(StrictModel):
    """A workload's login: exactly the access it needs per schema, owning none of them.

    CloudNativePG manages the role (login, password from ``password_secret``, a
    basic-auth Secret the bootstrap creates); the grants come from
    ``libs.contracts.warehouse.grants`` at ``initdb`` and on every migration run.
    """

    name: RoleName
    purpose: str = Field(min_length=1)
    password_secret: Name
    access: dict[str, Access] = Field(min_length=1)

    def grants(self) -> RoleAccess:
        """The role as the grants module takes it."""
        return RoleAccess(self.name, dict(self.access))


class MigrationJobSpec(StrictModel):
    """The Job that applies migrations added after the cluster was bootstrapped."""

    image: Image
    resources: Resources


class PostgresAlerts(StrictModel):
    """When the warehouse's alerts fire (``observability.alerts``)."""

    storage_fraction: Annotated[float, Field(gt=0.0, lt=1.0)]


class PostgresSpec(StrictModel):
    """A PostgreSQL ``Cluster``: one database owned by one app user.

    Its schemas and tables come from ``libs/contracts/warehouse/sql``: the same files run
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
    roles: list[WarehouseRole] = Field(default_factory=list)
    extra_databases: list[ExtraDatabase] = Field(default_factory=list)
    storage_size: MemoryQuantity
    storage_class: str | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    resources: Resources
    backup: BackupSpec
    migration_job: MigrationJobSpec
    alerts: PostgresAlerts

    @model_validator(mode="after")
    def _roles_are_distinct_and_grant_known_schemas(self) -> "PostgresSpec":
        taken = {self.owner: "postgres.owner"} | {
            extra.owner: f"the owner of database {extra.name}" for extra in self.extra_databases
        }
        known = schemas()
        for role in self.roles:
            if role.name in taken:
                raise FieldError(
                    f"role name {role.name} is already used by {taken[role.name]}",
                    ("roles", role.name, "name"),
                )
            taken[role.name] = "another role"
            for schema in role.access:
                if schema not in known:
                    raise FieldError(
                        f"unknown schema {schema!r}: the migrations create {known}",
                        ("roles", role.name, "access", schema),
                    )
        if found := conflicts(self.role_grants()):
            role_name, schema, builder = found[0]
            raise FieldError(
                f"{builder} builds (and owns) the tables of {schema}: another role's access "
                "to them cannot be granted by the owner",
                ("roles", role_name, "access", schema),
            )
        return self

    def role_grants(self) -> list[RoleAccess]:
        """Every workload role with its access."""
        return [role.grants() for role in self.roles]
