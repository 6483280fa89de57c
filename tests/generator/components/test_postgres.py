"""PostgreSQL component: instances counted, and its names derived everywhere they are used."""

from generator.components.base import Rendered
from generator.components.postgres import COMPONENT
from tests.conftest import Workspace
from tests.generator.test_reservations import container

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
