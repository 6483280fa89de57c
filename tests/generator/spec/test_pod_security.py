"""The restricted Pod Security Standard's rules, each on both sides of its line.

Expectations come from the standard's own table
(https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted), not from
the generator's helpers: a chart pod the admission controller would refuse must be named here.
"""

from typing import Any

import pytest

from generator.spec.pod_security import restricted_violations

# The smallest contexts the standard admits: every rule met once, at the container.
POD: dict[str, Any] = {}
CONTAINER: dict[str, Any] = {
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
}


def test_the_minimal_restricted_container_passes() -> None:
    assert restricted_violations(POD, CONTAINER) == []


def test_pod_level_settings_count_for_every_container() -> None:
    pod = {"runAsNonRoot": True, "seccompProfile": {"type": "Localhost"}, "runAsUser": 1000}
    container = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    assert restricted_violations(pod, container) == []


def test_nothing_set_is_refused_for_every_rule_at_once() -> None:
    assert restricted_violations({}, {}) == [
        "runAsNonRoot is not true",
        "seccompProfile.type is not RuntimeDefault or Localhost",
        "allowPrivilegeEscalation is not false",
        "capabilities.drop does not contain ALL",
    ]


def _with(**changes: Any) -> dict[str, Any]:
    return {**CONTAINER, **changes}


@pytest.mark.parametrize(
    ("pod", "container", "expected"),
    [
        # runAsNonRoot: the container's value wins over the pod's, and only `true` passes.
        ({"runAsNonRoot": True}, _with(runAsNonRoot=False), ["runAsNonRoot is not true"]),
        ({"runAsNonRoot": False}, _with(runAsNonRoot=True), []),
        (
            {},
            {k: v for k, v in CONTAINER.items() if k != "runAsNonRoot"},
            ["runAsNonRoot is not true"],
        ),
        ({"runAsNonRoot": True}, {k: v for k, v in CONTAINER.items() if k != "runAsNonRoot"}, []),
        ({}, _with(runAsNonRoot="true"), ["runAsNonRoot is not true"]),
        # runAsUser 0 is refused at either level; any other id passes.
        ({"runAsUser": 0}, CONTAINER, ["runAsUser is 0 (root)"]),
        ({}, _with(runAsUser=0), ["runAsUser is 0 (root)"]),
        ({"runAsUser": 1}, _with(runAsUser=65534), []),
        # seccomp: RuntimeDefault or Localhost, container over pod.
        (
            {},
            _with(seccompProfile={"type": "Unconfined"}),
            ["seccompProfile.type is not RuntimeDefault or Localhost"],
        ),
        ({}, _with(seccompProfile={"type": "Localhost"}), []),
        (
            {"seccompProfile": {"type": "RuntimeDefault"}},
            _with(seccompProfile={"type": "Unconfined"}),
            ["seccompProfile.type is not RuntimeDefault or Localhost"],
        ),
        (
            {},
            _with(seccompProfile=None),
            ["seccompProfile.type is not RuntimeDefault or Localhost"],
        ),
        # allowPrivilegeEscalation must be exactly false.
        ({}, _with(allowPrivilegeEscalation=True), ["allowPrivilegeEscalation is not false"]),
        ({}, _with(allowPrivilegeEscalation=None), ["allowPrivilegeEscalation is not false"]),
        ({}, _with(allowPrivilegeEscalation=0), ["allowPrivilegeEscalation is not false"]),
        # capabilities: drop ALL; add nothing but NET_BIND_SERVICE.
        ({}, _with(capabilities={"drop": ["NET_RAW"]}), ["capabilities.drop does not contain ALL"]),
        ({}, _with(capabilities={"drop": None}), ["capabilities.drop does not contain ALL"]),
        ({}, _with(capabilities=None), ["capabilities.drop does not contain ALL"]),
        ({}, _with(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}), []),
        ({}, _with(capabilities={"drop": ["ALL"], "add": None}), []),
        (
            {},
            _with(
                capabilities={
                    "drop": ["ALL"],
                    "add": ["SYS_ADMIN", "NET_BIND_SERVICE", "NET_ADMIN"],
                }
            ),
            ["capabilities.add has ['NET_ADMIN', 'SYS_ADMIN']"],
        ),
        # privileged: only `true` is refused.
        ({}, _with(privileged=True), ["privileged is true"]),
        ({}, _with(privileged=False), []),
    ],
)
def test_each_rule_is_refused_exactly_when_it_is_broken(
    pod: dict[str, Any], container: dict[str, Any], expected: list[str]
) -> None:
    assert restricted_violations(pod, container) == expected
