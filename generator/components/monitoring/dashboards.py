"""Grafana dashboards (placeholder until the dashboards are generated)."""

from generator.render.objects import Manifest


def config_maps(namespace: str) -> list[Manifest]:
    """ConfigMaps the Grafana sidecar loads."""
    del namespace
    return []
