"""Backups of the warehouse: CNPG volume snapshots, and nightly ``pg_dump`` archives.

Snapshots need a CSI ``VolumeSnapshotClass`` (prod); without one the
``ScheduledBackup`` is rendered suspended and says why. The dump works on any
storage class (dev's ``local-path``): a CronJob runs ``jobs/backup/pg_dump.sh``
(shipped in a ConfigMap, the same file the tests run) with the cluster's image,
as the owner, onto a volume of its own (docs/adr/0019-dev-backups.md).
"""

from pathlib import Path
from typing import Any

from generator.components.postgres.spec import DumpSpec, PostgresSpec
from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.common import restricted_container_security, restricted_pod_security

API = "postgresql.cnpg.io/v1"
SCRIPT = Path(__file__).resolve().parents[3] / "jobs" / "backup" / "pg_dump.sh"
SCRIPT_MOUNT = "/etc/streamflow/backup"
DSN_MOUNT = "/etc/streamflow/database"
DUMPS_MOUNT = "/backups"
POSTGRES_USER = 26  # the postgres user of CloudNativePG's images
DUMP_PODS = {"app.kubernetes.io/name": "streamflow-pg-dump"}


def _scheduled_backup(pg: PostgresSpec) -> Manifest:
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


def _dumps_claim(pg: PostgresSpec, dump: DumpSpec) -> Manifest:
    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": dump.storage_size}},
    }
    if dump.storage_class:
        claim["storageClassName"] = dump.storage_class
    return resource(
        "v1", "PersistentVolumeClaim", metadata(f"{pg.name}-dumps", pg.namespace), spec=claim
    )


def _script(pg: PostgresSpec) -> Manifest:
    return resource(
        "v1",
        "ConfigMap",
        metadata(f"{pg.name}-dump-script", pg.namespace),
        data={SCRIPT.name: SCRIPT.read_text(encoding="utf-8")},
    )


def _cron_job(pg: PostgresSpec, dump: DumpSpec, owner_uri_secret: str) -> Manifest:
    container = {
        "name": "pg-dump",
        "image": pg.image,
        "command": ["/bin/sh", f"{SCRIPT_MOUNT}/{SCRIPT.name}"],
        "env": [
            {"name": "BACKUP_DIR", "value": DUMPS_MOUNT},
            {"name": "KEEP", "value": str(dump.keep)},
            {"name": "DSN_FILE", "value": f"{DSN_MOUNT}/uri"},
        ],
        "volumeMounts": [
            {"name": "script", "mountPath": SCRIPT_MOUNT, "readOnly": True},
            {"name": "dsn", "mountPath": DSN_MOUNT, "readOnly": True},
            {"name": "dumps", "mountPath": DUMPS_MOUNT},
        ],
        "resources": dump.resources.to_manifest(),
        "securityContext": restricted_container_security(),
    }
    volumes = [
        {"name": "script", "configMap": {"name": f"{pg.name}-dump-script"}},
        {
            "name": "dsn",
            "secret": {
                "secretName": owner_uri_secret,
                "items": [{"key": "uri", "path": "uri"}],
                "defaultMode": 0o440,  # group-readable: fsGroup is the pod's user
            },
        },
        {"name": "dumps", "persistentVolumeClaim": {"claimName": f"{pg.name}-dumps"}},
    ]
    pod = {
        "metadata": {"labels": dict(DUMP_PODS)},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "securityContext": restricted_pod_security(POSTGRES_USER),
            "containers": [container],
            "volumes": volumes,
        },
    }
    return resource(
        "batch/v1",
        "CronJob",
        metadata(f"{pg.name}-dump", pg.namespace),
        spec={
            "schedule": dump.schedule,
            "timeZone": "Etc/UTC",
            # One at a time (the budget counts one pod), none queued behind a slow one.
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {"backoffLimit": 2, "activeDeadlineSeconds": 3600, "template": pod}
            },
        },
    )


def render(pg: PostgresSpec, owner_uri_secret: str) -> list[Manifest]:
    """The snapshot schedule, and the dump's script, volume and CronJob when configured."""
    dump = pg.backup.dump
    if dump is None:
        return [_scheduled_backup(pg)]
    return [
        _scheduled_backup(pg),
        _script(pg),
        _dumps_claim(pg, dump),
        _cron_job(pg, dump, owner_uri_secret),
    ]
