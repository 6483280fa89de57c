"""PostgreSQL component: instances counted, names derived, roles granted, dev dumped nightly."""

from typing import Any

import yaml

from generator.components.base import Rendered
from generator.components.postgres import COMPONENT
from generator.pipeline.load import load
from libs.contracts.warehouse.catalog import schemas
from libs.contracts.warehouse.grants import owner_grants
from tests.conftest import REPO, Workspace
from tests.generator.manifests.test_reservations import container

Mi = 2**20


def test_instances_are_counted() -> None:
    cnpg = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "pg", "namespace": "ns"},
        "spec": {"instances": 3, **container("pg", "500m", "1Gi")},
    }
    found = list(COMPONENT.footprints(Rendered(COMPONENT, [cnpg], [], []), 1))
    assert sum(f.total.memory_request for f in found) == 3 * 1024 * Mi
    assert sum(f.total.cpu_request for f in found) == 1500


def test_renaming_the_cluster_changes_every_reference(rendered: Workspace) -> None:
    rendered.edit("platform.yaml", lambda d: d["postgres"].__setitem__("name", "warehouse"))
    assert rendered.run("render") == 0
    tree = rendered.rendered_text()
    # (the owner's bootstrap Secret, streamflow-pg-owner, has a name of its own)
    for old in (
        "streamflow-pg-rw",
        "streamflow-pg-app",
        "cnpg.io/cluster: streamflow-pg\n",
        "name: streamflow-pg\n",
    ):
        assert old not in tree, old
    assert "jdbc:postgresql://warehouse-rw.streamflow-data.svc:5432/streamflow" in tree
    assert "cnpg.io/cluster: warehouse" in tree
    assert "secretName: warehouse-app" in tree  # the migration Job's mounted URI


def _objects(tree: Workspace, kind: str, suffix: str = "") -> list[dict[str, Any]]:
    path = tree.root / "apps" / "postgres" / "base" / f"{kind.lower()}.yaml"
    return [
        doc for doc in yaml.safe_load_all(path.read_text())
        if doc and doc["kind"] == kind and doc["metadata"]["name"].endswith(suffix)
    ]  # fmt: skip


def test_workload_roles_are_managed_logins_granted_at_initdb_and_by_the_job(
    rendered: Workspace,
) -> None:
    platform = load("dev", rendered.specs)
    pg = COMPONENT.section(platform.spec)
    (cluster,) = _objects(rendered, "Cluster")
    managed = {role["name"]: role for role in cluster["spec"]["managed"]["roles"]}
    for role in pg.roles:
        assert managed[role.name] == {
            "name": role.name, "ensure": "present", "login": True,
            "passwordSecret": {"name": role.password_secret}, "comment": role.purpose,
        }  # fmt: skip
    refs = cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQLRefs"]["configMapRefs"]
    assert refs[-1]["key"] == "roles.sql"  # after every migration: the tables exist
    (config_map,) = _objects(rendered, "ConfigMap", "-migrations")
    grants = owner_grants(pg.role_grants(), schemas())
    assert config_map["data"]["grants.sql"] == grants
    assert config_map["data"]["roles.sql"].endswith(f"SET ROLE {pg.owner};\n{grants}")
    (job,) = _objects(rendered, "Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"][-2:] == ["--grants-file", "/etc/streamflow/grants/grants.sql"]


def test_without_roles_there_is_nothing_to_grant(rendered: Workspace) -> None:
    rendered.edit("platform.yaml", lambda d: d["postgres"].pop("roles"))
    assert rendered.run("render") == 0
    (config_map,) = _objects(rendered, "ConfigMap", "-migrations")
    assert "grants.sql" not in config_map["data"] and "roles.sql" not in config_map["data"]
    (job,) = _objects(rendered, "Job")
    assert "--grants-file" not in job["spec"]["template"]["spec"]["containers"][0]["command"]


def test_dev_dumps_nightly_with_the_script_the_tests_run(rendered: Workspace) -> None:
    pg = COMPONENT.section(load("dev", rendered.specs).spec)
    assert pg.backup.dump is not None and pg.backup.snapshot_class is None
    (script,) = _objects(rendered, "ConfigMap", "-dump-script")
    assert script["data"] == {"pg_dump.sh": (REPO / "jobs/backup/pg_dump.sh").read_text()}
    (cron,) = _objects(rendered, "CronJob")
    assert cron["spec"]["schedule"] == pg.backup.dump.schedule
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"  # the budget counts one pod
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == pg.image  # its pg_dump is the server's version
    assert {"name": "KEEP", "value": str(pg.backup.dump.keep)} in container["env"]
    secrets = [v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v]
    assert secrets == [f"{pg.name}-app"]  # the owner's URI, as a file
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]
              if "persistentVolumeClaim" in v]  # fmt: skip
    (claim,) = _objects(rendered, "PersistentVolumeClaim")
    assert claims == [claim["metadata"]["name"]]
    assert claim["spec"]["storageClassName"] == "local-path"


def test_prod_keeps_snapshots_and_no_dump(rendered: Workspace) -> None:
    pg = COMPONENT.section(load("prod", rendered.specs).spec)
    assert pg.backup.dump is None and pg.backup.snapshot_class == "longhorn-snapshot"
    patches = rendered.root / "overlays" / "prod" / "postgres" / "patches"
    assert (patches / "delete-cronjob-streamflow-pg-dump.yaml").exists()
