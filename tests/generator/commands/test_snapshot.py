"""The snapshot ``diff`` compares: every Application, its objects, its values, the budget."""

from generator.commands.snapshot import resource_key, snapshot
from generator.components import REGISTRY
from generator.pipeline import budget
from generator.pipeline.load import SPEC_DIR
from generator.pipeline.tree import render_all


def test_every_application_object_and_the_budget_are_in_the_snapshot() -> None:
    taken = snapshot(SPEC_DIR, REGISTRY)
    tree = render_all(SPEC_DIR, REGISTRY)
    assert sorted(taken) == sorted(tree.environments)
    for env, environment in tree.environments.items():
        applications = taken[env]["applications"]
        assert sorted(applications) == sorted(
            a["metadata"]["name"] for a in environment.applications
        )
        for part in environment.parts:
            if part.manifests:
                synced = applications[part.component.name]["resources"]
                assert sorted(synced) == sorted(resource_key(m) for m in part.manifests)
            for release, _ in part.charts:
                assert applications[release.name]["values"] == release.rendered_values()
        report = budget.footprints(environment)
        counted = taken[env]["budget"]
        assert (counted["peak"], counted["budget"]) == (report.peak_memory, report.budget)
        assert sum(n["steady"] for n in counted["namespaces"].values()) == counted["steady"]
