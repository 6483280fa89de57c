"""The commands documented for a cluster (``# cluster``), checked as far as this machine can.

No cluster runs here, but most of a command can still be wrong offline: a
kubectl subcommand or flag that does not exist (checked against kubectl's own
parser, the kubectl ``make setup`` builds), a namespace, object, Secret or pod
that the platform does not create (checked against the rendered output, and
for operator- and chart-made objects against the name the operator or chart
derives), a local file or Dockerfile that is not in the repository, a Terraform
resource or variable the bootstrap module does not declare. What stays
unverifiable offline is listed in ``OFFLINE_LIMITS`` with why; a new ``# cluster``
line that is neither checked nor listed fails.
"""

import re
import shlex
import subprocess
from collections.abc import Callable
from functools import cache

import pytest
import yaml

from generator.commands.crds.cache import verified
from generator.commands.crds.lock import definitions, load_lock
from generator.commands.tools import tool
from tests.conftest import REPO
from tests.docs.test_commands import Command, documented

pytestmark = pytest.mark.tools
CLUSTER_COMMANDS = [c for c in documented() if c.cluster_only]
BOOTSTRAP = REPO / "terragrunt" / "modules"
# What cannot be checked here, by the command's first words, and why.
OFFLINE_LIMITS = {
    "docker push": "pushes to the fork's registry: needs the registry and its credentials",
    "git revert": "reverts the caller's last commit: depends on the caller's history",
    "git push": "pushes to the fork's remote",
    "kubectl cnpg": "CloudNativePG's kubectl plugin is a release binary, not on the Go proxy: "
    "its subcommand is not checked (its namespace and cluster are)",
}


@cache
def _kubectl_help(*subcommand: str) -> str:
    result = subprocess.run([tool("kubectl"), *subcommand, "--help"], capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert result.returncode == 0, f"kubectl {' '.join(subcommand)}: {result.stderr}"
    return result.stdout


@cache
def _global_flags() -> set[str]:
    listed = subprocess.run([tool("kubectl"), "options"], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    return _flags(listed)


def _flags(help_text: str) -> set[str]:
    """The flags an ``Options:`` list defines (``-n, --namespace=''`` gives both)."""
    found: set[str] = set()
    for line in help_text.splitlines():
        match = re.match(r"\s+(?:(-\w), )?(--[\w-]+)", line)
        if match:
            found |= {flag for flag in match.groups() if flag}
    return found


@cache
def rendered() -> dict[tuple[str, str], set[str]]:
    """(kind, namespace) → names of every object of dev's overlays."""
    objects: dict[tuple[str, str], set[str]] = {}
    for path in sorted((REPO / "overlays" / "dev").iterdir()):
        stream = subprocess.run([tool("kustomize"), "build", str(path)], capture_output=True,
                                text=True, check=True).stdout  # fmt: skip
        for document in yaml.safe_load_all(stream):
            key = (document["kind"].lower(), document["metadata"].get("namespace", ""))
            objects.setdefault(key, set()).add(document["metadata"]["name"])
    return objects


def _names(kind: str, namespace: str) -> set[str]:
    return rendered().get((kind, namespace), set())


@cache
def _resource_names() -> set[str]:
    """Every name kubectl accepts for a custom kind of the platform (singular, plural, short)."""
    names: set[str] = set()
    for crd in definitions(load_lock(), verified()):
        spelled = crd["spec"]["names"]
        names |= {spelled["singular"], spelled["plural"], *spelled.get("shortNames", [])}
    return names


def _namespaces() -> set[str]:
    bootstrap = (BOOTSTRAP / "argocd" / "main.tf").read_text()
    argocd = re.search(r'namespace\s*=\s*"([^"]+)"', bootstrap)
    assert argocd, "the bootstrap module installs ArgoCD into no namespace"
    return _names("namespace", "") | {argocd.group(1)}


def _operator_made(kind: str, namespace: str) -> set[str]:
    """Names operators and charts derive from what the platform renders (dev)."""
    sessions = _names("flinkdeployment", namespace)
    clusters = _names("cluster", namespace)
    releases = {
        str(a["spec"]["source"].get("chart") and a["metadata"]["name"])
        for a in (yaml.safe_load(p.read_text()) for p in (REPO / "argocd/dev/apps").glob("*.yaml"))
        if a["kind"] == "Application" and a["spec"]["destination"].get("namespace") == namespace
    }
    made = {
        # The Flink Kubernetes Operator: a Deployment per FlinkDeployment and its REST Service.
        "deployment": sessions,
        "service": {f"{name}-rest" for name in sessions}
        # kube-prometheus-stack's Grafana subchart: "<release>-grafana".
        | {f"{release}-grafana" for release in releases if release == "kube-prometheus-stack"},
        # CloudNativePG: pods "<cluster>-<serial>", the first one "-1".
        "pod": {f"{name}-1" for name in clusters},
    }
    if namespace == "argocd":  # the argo-cd chart of the bootstrap and ArgoCD itself
        made["service"] = made["service"] | {"argocd-server"}
        made["secret"] = {"argocd-initial-admin-secret"}
    return made.get(kind, set())


# kubectl's short names the docs use; every other kind is written out in full.
SHORT_NAMES = {"svc": "service"}


def _exists(kind: str, name: str, namespace: str) -> bool:
    kind = SHORT_NAMES.get(kind, kind)
    return name in _names(kind, namespace) | _operator_made(kind, namespace)


def _subcommand(words: list[str]) -> tuple[list[str], list[str]]:
    """kubectl's subcommand words (``get``, ``rollout restart``) and the remaining arguments."""
    rest, flags_with_values = list(words), {"-n", "--namespace", "-c", "-o", "--from"}
    path: list[str] = []
    positional: list[str] = []
    while rest:
        word = rest.pop(0)
        if word in flags_with_values:
            rest.pop(0)
        elif not word.startswith("-"):
            positional.append(word)
    for word in positional:
        candidate = [*path, word]
        if path and not _is_subcommand(candidate):
            break
        path = candidate
    return path, positional[len(path) :]


@cache
def _is_subcommand_cached(words: tuple[str, ...]) -> bool:
    result = subprocess.run([tool("kubectl"), *words, "--help"], capture_output=True, text=True,
                            check=False)  # fmt: skip
    usage = re.search(r"^Usage:\n\s+kubectl (.+)$", result.stdout, re.M)
    return result.returncode == 0 and usage is not None and usage[1].startswith(" ".join(words))


def _is_subcommand(words: list[str]) -> bool:
    return _is_subcommand_cached(tuple(words))


def _option(words: list[str], *names: str) -> str | None:
    for index, word in enumerate(words):
        if word in names and index + 1 < len(words):
            return words[index + 1]
        flag, _, value = word.partition("=")
        if flag in names and value:
            return value
    return None


def check_kubectl(words: list[str]) -> str:
    """Subcommand and flags by kubectl's parser; namespace, objects and files by the platform."""
    words = words[: words.index("--")] if "--" in words else words  # the rest is the pod's
    path, arguments = _subcommand(words)
    accepted = _flags(_kubectl_help(*path)) | _global_flags()
    for flag in (w.split("=", 1)[0] for w in words if w.startswith("-")):
        assert flag in accepted, f"kubectl {' '.join(path)} has no {flag}"
    namespace = _option(words, "-n", "--namespace") or "default"
    assert namespace in _namespaces(), f"namespace {namespace} is not the platform's"
    verb = path[0]
    if verb in {"port-forward", "rollout"}:
        kind, name = arguments[0].split("/", 1)
        assert _exists(kind, name, namespace), f"{arguments[0]} in {namespace}"
    elif verb == "get" and arguments:
        kinds = arguments[0].split(",")
        if len(arguments) > 1:
            (kind,) = kinds
            assert _exists(kind, arguments[1], namespace), f"{kind} {arguments[1]} in {namespace}"
        for kind in kinds:
            assert kind in _resource_names() | {"secret", "configmap"}, f"no kind {kind}"
    elif verb == "create":
        source = _option(words, "--from")
        assert source, "create job needs --from"
        kind, name = source.split("/", 1)
        assert _exists(kind, name, namespace), f"{source} in {namespace}"
    elif verb in {"cp", "exec"}:
        pod = next(a.split(":", 1)[0] for a in arguments if ":" in a) if verb == "cp" \
            else arguments[0]  # fmt: skip
        assert _exists("pod", pod, namespace), f"pod {pod} in {namespace}"
        assert _option(words, "-c") == "postgres", "CloudNativePG's container is postgres"
        local = [a for a in arguments if ":" not in a and a != "ARCHIVE"]
        assert all((REPO / a).is_file() for a in local if verb == "cp"), local
    return "kubectl"


def check_terragrunt(text: str) -> str:
    """The live directory, the variables and resources it names exist in the bootstrap."""
    modules = "\n".join(p.read_text() for p in BOOTSTRAP.rglob("*.tf"))
    for directory in re.findall(r"cd (\S+)", text):
        assert (REPO / directory).is_dir(), directory
    for variable in re.findall(r"TF_VAR_(\w+)=", text):
        assert f'variable "{variable}"' in modules, variable
    for resource, key in re.findall(r'-replace=.?(\w+\.\w+)\["([^"]+)"\]', text):
        kind, name = resource.split(".")
        block = re.search(rf'resource "{kind}" "{name}" \{{\s*for_each = toset\(\[([^]]+)\]',
                          modules)  # fmt: skip
        assert block and f'"{key}"' in block.group(1), f"{resource}[{key}]"
    return "terragrunt"


def check_kubeconfig(text: str) -> str:
    """The kubeconfig path is the one the k3s module writes for dev."""
    written = re.search(r'kubeconfig_path\s*=\s*pathexpand\("([^"]+)"\)',
                        (BOOTSTRAP / "k3s" / "main.tf").read_text())  # fmt: skip
    assert written, "the k3s module writes no kubeconfig"
    assert written.group(1).replace("${var.environment}", "dev") in text
    return "kubeconfig"


def check(command: Command) -> str:
    """How one ``# cluster`` line was checked, or why it could not be."""
    text = command.text.removesuffix("# cluster").strip()
    for prefix, why in OFFLINE_LIMITS.items():
        if text.startswith(prefix):
            if prefix == "kubectl cnpg":
                words = shlex.split(text.split(" -- ", 1)[0])
                namespace = _option(words, "-n")
                assert namespace in _namespaces() and _exists("cluster", words[-1], namespace)
            return f"offline limit: {why}"
    segment = shlex.split(re.split(r"\s(?:\||>|<|&&)\s", text)[0])
    checks: dict[str, Callable[[], str]] = {
        "kubectl": lambda: check_kubectl(segment[1:]),
        "docker": lambda: "dockerfile" if (REPO / segment[segment.index("-f") + 1]).is_file()
        else "missing Dockerfile",
        "cd": lambda: check_terragrunt(text),
        "export": lambda: check_kubeconfig(text) if "KUBECONFIG" in text
        else check_terragrunt(text),
    }  # fmt: skip
    assert segment[0] in checks, f"no check for `{text}`: add one or list it in OFFLINE_LIMITS"
    return checks[segment[0]]()


def test_every_cluster_line_is_counted() -> None:
    assert len(CLUSTER_COMMANDS) >= 28


@pytest.mark.parametrize("command", CLUSTER_COMMANDS, ids=lambda c: f"{c.document}:{c.line}")
def test_cluster_command(command: Command) -> None:
    verdict = check(command)
    assert verdict in {"kubectl", "dockerfile", "terragrunt", "kubeconfig"} or verdict.startswith(
        "offline limit:"
    ), verdict


@pytest.mark.parametrize(
    "broken",
    [
        "kubectl -n streamflow-data get cronjob streamflow-pg-dumps  # cluster",
        "kubectl -n streamflow-dat get cluster  # cluster",
        "kubectl -n argocd port-forwad svc/argocd-server 8080:443  # cluster",
        "kubectl -n streamflow-data get backups --sort-by-name  # cluster",
        "kubectl -n streamflow-processing rollout restart deployment/streamflow-sesion  # cluster",
        "kubectl -n streamflow-data cp jobs/backup/restore.sh streamflow-pg-1:/x -c postgres"
        "  # cluster",
        "cd terragrunt/live/dev/argocd && terragrunt apply"
        " -replace='random_password.generated[\"warehouse-admin\"]'  # cluster",
        "export TF_VAR_server_hostname=203.0.113.10  # cluster",
    ],
)
def test_a_wrong_name_flag_or_path_fails(broken: str) -> None:
    with pytest.raises(AssertionError):
        check(Command("operations.md", 0, broken))


def test_the_offline_limits_are_the_only_unchecked_lines() -> None:
    verdicts = {f"{c.document}:{c.line}": check(c) for c in CLUSTER_COMMANDS}
    limited = sorted(k for k, v in verdicts.items() if v.startswith("offline limit"))
    print("\n".join(f"{k}: {verdicts[k]}" for k in limited))
    assert len(limited) <= 6
