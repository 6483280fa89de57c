"""The ``restricted`` Pod Security Standard, for securityContexts the generator cannot see applied.

Chart pods are rendered by ArgoCD, not here, so their security contexts are
checked where the spec puts them: in the chart values each pod declares
(``ChartPod.security_context``). These are the rules Pod Security admission
enforces at ``restricted`` (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
"""

from collections.abc import Mapping
from typing import Any

ALLOWED_ADDED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
ALLOWED_SECCOMP = frozenset({"RuntimeDefault", "Localhost"})


def restricted_violations(pod: Mapping[str, Any], container: Mapping[str, Any]) -> list[str]:
    """What a pod with these contexts (every container alike) would be refused for."""
    found = []
    if container.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
        found.append("runAsNonRoot is not true")
    if 0 in (pod.get("runAsUser"), container.get("runAsUser")):
        found.append("runAsUser is 0 (root)")
    seccomp = container.get("seccompProfile", pod.get("seccompProfile")) or {}
    if seccomp.get("type") not in ALLOWED_SECCOMP:
        found.append("seccompProfile.type is not RuntimeDefault or Localhost")
    if container.get("allowPrivilegeEscalation") is not False:
        found.append("allowPrivilegeEscalation is not false")
    capabilities = container.get("capabilities") or {}
    if "ALL" not in (capabilities.get("drop") or []):
        found.append("capabilities.drop does not contain ALL")
    added = set(capabilities.get("add") or []) - ALLOWED_ADDED_CAPABILITIES
    if added:
        found.append(f"capabilities.add has {sorted(added)}")
    if container.get("privileged") is True:
        found.append("privileged is true")
    return found
