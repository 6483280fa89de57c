"""CloudNativePG ``Cluster``, extra ``Database``s, backups and the migration Job.

CNPG creates the instance pods, their PDBs (``enablePDB``) and the app user's
Secret (``<cluster>-app``); workloads reference that Secret by name.
"""

from generator.components.postgres import backup, monitoring
from generator.components.postgres.backup import API
from generator.components.postgres.spec import PostgresSpec
from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.common import restricted_container_security, restricted_pod_security
from libs.contracts.warehouse.catalog import GRANTS_SCRIPT, bootstrap_scripts, schemas
from libs.contracts.warehouse.grants import owner_grants

PORT = 5432
METRICS_PORT = 9187
METRICS_PORT_NAME = "metrics"
MIGRATION_USER = 9999
DSN_MOUNT = "/etc/streamflow/database"
GRANTS_MOUNT = "/etc/streamflow/grants"


def instance_pods(pg: PostgresSpec) -> dict[str, str]:
    """Labels CloudNativePG puts on every instance pod of the cluster."""
    return {"cnpg.io/cluster": pg.name}


def primary_host(pg: PostgresSpec) -> str:
    """The read-write Service CloudNativePG creates (it follows the primary)."""
    return f"{pg.name}-rw.{pg.namespace}.svc"


def app_secret(pg: PostgresSpec) -> str:
    """The app user's Secret CloudNativePG creates (``uri``, ``username``, ``password``)."""
    return f"{pg.name}-app"


def jdbc_url(pg: PostgresSpec) -> str:
    """JDBC URL of the warehouse database on the primary."""
    return f"jdbc:postgresql://{primary_host(pg)}:{PORT}/{pg.database}"


def _migrations_config_map(pg: PostgresSpec, scripts: dict[str, str]) -> Manifest:
    """The initdb scripts, and the grants the migration Job applies on every run."""
    data = dict(scripts)
    if pg.roles:
        data[GRANTS_SCRIPT] = owner_grants(pg.role_grants(), schemas())
    return resource("v1", "ConfigMap", metadata(f"{pg.name}-migrations", pg.namespace), data=data)


def _managed_roles(pg: PostgresSpec) -> list[dict[str, object]]:
    """Extra databases' owners and the workload roles: logins with passwords, nothing more."""
    owners = [(extra.owner, extra.password_secret, None) for extra in pg.extra_databases]
    workloads = [(role.name, role.password_secret, role.purpose) for role in pg.roles]
    return [
        {
            "name": name,
            "ensure": "present",
            "login": True,
            "passwordSecret": {"name": secret},
            **({"comment": purpose} if purpose else {}),
        }
        for name, secret, purpose in owners + workloads
    ]


def _cluster(pg: PostgresSpec, scripts: dict[str, str]) -> Manifest:
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
                "secret": {"name": pg.owner_secret},
                "postInitApplicationSQLRefs": {
                    "configMapRefs": [
                        # in the order they must run (the dict's order)
                        {"name": f"{pg.name}-migrations", "key": key}
                        for key in scripts
                    ]
                },
            }
        },
        "postgresql": {"parameters": dict(sorted(pg.parameters.items()))},
        "storage": storage,
        "resources": pg.resources.to_manifest(),
        # The PodMonitor is the monitoring component's (one way for every target).
        "monitoring": {
            "enablePodMonitor": False,
            "customQueriesConfigMap": [
                {"name": monitoring.config_map_name(pg), "key": monitoring.KEY}
            ],
        },
    }
    if pg.backup.snapshot_class:
        spec["backup"] = {"volumeSnapshot": {"className": pg.backup.snapshot_class}}
    roles = _managed_roles(pg)
    if roles:
        spec["managed"] = {"roles": roles}
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


def _migration_job(pg: PostgresSpec) -> Manifest:
    """PostSync Job: applies migrations newer than the cluster's bootstrap, then the grants.

    The grants run on every sync (revoke and re-grant in one transaction), so a
    role's access follows the spec; the Job retries until CloudNativePG has
    created a role added after the bootstrap.
    """
    job = pg.migration_job
    arguments = ["--dsn-file", f"{DSN_MOUNT}/uri"]
    mounts = [{"name": "dsn", "mountPath": DSN_MOUNT, "readOnly": True}]
    volumes: list[dict[str, object]] = [
        {
            "name": "dsn",
            "secret": {
                "secretName": app_secret(pg),
                "items": [{"key": "uri", "path": "uri"}],
                "defaultMode": 0o440,  # group-readable: fsGroup is the job's user
            },
        }
    ]
    if pg.roles:
        arguments += ["--grants-file", f"{GRANTS_MOUNT}/{GRANTS_SCRIPT}"]
        mounts.append({"name": "grants", "mountPath": GRANTS_MOUNT, "readOnly": True})
        volumes.append(
            {
                "name": "grants",
                "configMap": {
                    "name": f"{pg.name}-migrations",
                    "items": [{"key": GRANTS_SCRIPT, "path": GRANTS_SCRIPT}],
                },
            }
        )
    container = {
        "name": "migrate",
        "image": job.image.reference,
        "command": ["/opt/streamflow/venv/bin/python", "-m", "jobs.migrations", "migrate",
                    *arguments],
        # The connection URI as a file, not an environment variable (checkov CKV_K8S_35).
        "volumeMounts": mounts,
        "resources": job.resources.to_manifest(),
        "securityContext": restricted_container_security(),
    }  # fmt: skip
    annotations = {
        "argocd.argoproj.io/hook": "PostSync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    }
    return resource(
        "batch/v1",
        "Job",
        metadata(f"{pg.name}-migrate", pg.namespace, annotations=annotations),
        spec={
            "backoffLimit": 6,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "streamflow-migrations"}},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "automountServiceAccountToken": False,
                    "securityContext": restricted_pod_security(MIGRATION_USER),
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    )


def render(pg: PostgresSpec) -> list[Manifest]:
    """The PostgreSQL cluster and what hangs off it."""
    scripts = bootstrap_scripts(pg.owner, pg.role_grants())  # read and built once
    return [
        _migrations_config_map(pg, scripts),
        monitoring.config_map(pg),
        _cluster(pg, scripts),
        *_databases(pg),
        *backup.render(pg, app_secret(pg)),
        _migration_job(pg),
    ]
