"""CloudNativePG ``Cluster``, extra ``Database``s and the ``ScheduledBackup``.

CNPG creates the instance pods, their PDBs (``enablePDB``) and the app user's
Secret (``<cluster>-app``); workloads reference that Secret by name.
"""

from generator.render.objects import Manifest, metadata, resource
from generator.spec.postgres import PostgresSpec

API = "postgresql.cnpg.io/v1"


def _cluster(pg: PostgresSpec) -> Manifest:
    schemas = [
        f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {pg.owner}" for schema in pg.schemas
    ]
    storage = {"size": pg.storage_size}
    if pg.storage_class:
        storage["storageClass"] = pg.storage_class
    spec = {
        "instances": pg.instances,
        "imageName": pg.image,
        "enablePDB": True,
        "primaryUpdateStrategy": "unsupervised",
        "bootstrap": {
            "initdb": {
                "database": pg.database,
                "owner": pg.owner,
                "postInitApplicationSQL": schemas,
            }
        },
        "postgresql": {"parameters": dict(sorted(pg.parameters.items()))},
        "storage": storage,
        "resources": pg.resources.to_manifest(),
        "monitoring": {"enablePodMonitor": False},
    }
    if pg.backup.snapshot_class:
        spec["backup"] = {"volumeSnapshot": {"className": pg.backup.snapshot_class}}
    if pg.extra_databases:
        spec["managed"] = {
            "roles": [
                {
                    "name": extra.owner,
                    "ensure": "present",
                    "login": True,
                    "passwordSecret": {"name": extra.password_secret},
                }
                for extra in pg.extra_databases
            ]
        }
    return resource(API, "Cluster", metadata(pg.name, pg.namespace), spec=spec)


def _databases(pg: PostgresSpec) -> list[Manifest]:
    return [
        resource(
            API,
            "Database",
            metadata(f"{pg.name}-{extra.name}", pg.namespace),
            spec={
                "name": extra.name,
                "owner": extra.owner,
                "cluster": {"name": pg.name},
                "ensure": "present",
            },
        )
        for extra in pg.extra_databases
    ]


def _backup(pg: PostgresSpec) -> Manifest:
    suspended = pg.backup.snapshot_class is None
    reason = "no VolumeSnapshotClass (postgres.backup.snapshot_class)"
    annotations = {"streamflow.io/suspended-because": reason} if suspended else None
    meta = metadata(f"{pg.name}-daily", pg.namespace, annotations=annotations)
    return resource(
        API,
        "ScheduledBackup",
        meta,
        spec={
            "schedule": pg.backup.schedule,
            "method": "volumeSnapshot",
            "suspend": suspended,
            "backupOwnerReference": "self",
            "cluster": {"name": pg.name},
        },
    )


def render(pg: PostgresSpec) -> list[Manifest]:
    """The PostgreSQL cluster and what hangs off it."""
    return [_cluster(pg), *_databases(pg), _backup(pg)]
