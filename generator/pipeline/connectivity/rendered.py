"""The contract checked against rendered environments (by ``render`` and ``connectivity``)."""

from generator.pipeline.connectivity.contract import Verdict, check
from generator.pipeline.connectivity.policy import Network
from generator.pipeline.tree import Environment, Tree


class ConnectivityError(Exception):
    """The rendered NetworkPolicies break the connectivity contract."""


def network(environment: Environment) -> Network:
    """The environment's NetworkPolicies and namespace labels, as rendered."""
    manifests = [m for part in environment.parts for m in part.manifests]
    return Network(
        [m for m in manifests if m["kind"] == "NetworkPolicy"],
        {m["metadata"]["name"]: m["metadata"].get("labels", {}) for m in manifests
         if m["kind"] == "Namespace"},
    )  # fmt: skip


def verdict(environment: Environment) -> Verdict:
    """Every cell of the environment's contract against its rendered policies."""
    return check(environment.platform, network(environment))


def check_tree(tree: Tree) -> dict[str, Verdict]:
    """Every environment's verdict; ``ConnectivityError`` lists all violations."""
    verdicts = {env: verdict(environment) for env, environment in tree.environments.items()}
    problems = [f"{env}: {v}" for env, found in verdicts.items() for v in found.violations]
    if problems:
        raise ConnectivityError(
            "the NetworkPolicies break the connectivity contract "
            "(generator/pipeline/connectivity/contract.py):\n  " + "\n  ".join(problems)
        )
    return verdicts
