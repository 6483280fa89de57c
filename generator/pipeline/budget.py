"""Memory-request budget: what the scheduler will reserve, per environment.

The count is taken from rendered output, not from the spec's intentions, and
each component counts the pods it causes (``Component.footprints``): plain
workloads from their pod templates, operator-created pods from the CRs that
cause them, chart pods from the Helm values written into the ArgoCD
Applications. A kind nobody counts, or a chart with no declared pods, is an
error rather than a silent 0. A pod reserves its *effective* request: the larger of its
init phase (each init container plus the native sidecars started before it)
and its running phase (app containers plus sidecars), times its replicas.
Jobs are transient: the check allows the steady state plus the transient pods
that can run at the same time. ArgoCD syncs one Application wave after the other
(the Lua health check holds a wave until its children's operations finish), so
only transient pods of one Application wave can overlap: all Applications of
that wave at once, and inside one Application the pods of one hook wave (hook
waves run one after the other). A CronJob's pod follows its schedule, not a sync:
it can run beside any of them, so every CronJob adds one pod to the peak (their
``concurrencyPolicy: Forbid`` keeps it at one).
ArgoCD and K3s's own system pods are not counted (docs/adr/0005-budget.md).
"""

from dataclasses import dataclass

from generator.manifests.reservations import BudgetError, Footprint, Reservation
from generator.pipeline.tree import Environment
from generator.spec.quantity import format_cpu, format_memory, memory_bytes

LARGEST_SHOWN = 5


@dataclass(frozen=True)
class Report:
    """Every footprint of one environment against its budget."""

    environment: str
    budget: int
    footprints: list[Footprint]

    @property
    def steady(self) -> Reservation:
        """Sum over long-running workloads."""
        return sum((f.total for f in self.footprints if not f.transient), Reservation())

    @property
    def transient_peak(self) -> int:
        """The most memory transient pods can request at once (see the module docstring)."""
        waves: dict[int, dict[str, dict[int, int]]] = {}
        scheduled = 0
        for f in self.footprints:
            if f.scheduled:
                scheduled += f.total.memory_request
            elif f.transient:
                hooks = waves.setdefault(f.sync_wave, {}).setdefault(f.application, {})
                hooks[f.hook_wave] = hooks.get(f.hook_wave, 0) + f.total.memory_request
        syncing = max(
            (sum(max(hooks.values()) for hooks in apps.values()) for apps in waves.values()),
            default=0,
        )
        return syncing + scheduled

    @property
    def peak_memory(self) -> int:
        """Steady memory plus the transient pods that can run together."""
        return self.steady.memory_request + self.transient_peak


def footprints(environment: Environment) -> Report:
    """Every reservation of one rendered environment, each counted by its component."""
    spec = environment.spec
    found = [
        footprint
        for part in environment.parts
        for footprint in part.component.footprints(part, spec.cluster.nodes)
    ]
    return Report(spec.environment, memory_bytes(spec.cluster.memory_budget), found)


def _key(footprint: Footprint) -> tuple[str, str]:
    return footprint.namespace, footprint.workload


def _growth(report: Report, baseline: Report | None) -> list[str]:
    if baseline is None:
        return []
    before = {_key(f): f.total.memory_request for f in baseline.footprints}
    grown = []
    for footprint in report.footprints:
        old = before.get(_key(footprint), 0)
        if footprint.total.memory_request > old:
            grown.append((footprint.total.memory_request - old, footprint, old))
    grown.sort(key=lambda item: (-item[0], _key(item[1])))
    return [
        f"    {f.namespace}/{f.workload}: {format_memory(old)} → "
        f"{format_memory(f.total.memory_request)} (+{format_memory(delta)})"
        for delta, f, old in grown
    ]


def check(report: Report, baseline: Report | None = None) -> None:
    """Raise ``BudgetError`` when the environment's peak exceeds its memory budget.

    The message lists the largest items and, against ``baseline`` (the base
    spec's render), what this environment grew.
    """
    if report.peak_memory <= report.budget:
        return
    largest = sorted(report.footprints, key=lambda f: (-f.total.memory_request, _key(f)))
    lines = [
        f"environment {report.environment}: cluster.memory_budget "
        f"{format_memory(report.budget)} is exceeded: memory requests reach "
        f"{format_memory(report.peak_memory)} (steady "
        f"{format_memory(report.steady.memory_request)} plus the transient pods that can overlap)",
        "  largest requests:",
        *(
            f"    {f.namespace}/{f.workload} ({f.component}): "
            f"{format_memory(f.total.memory_request)}" + (" (transient)" if f.transient else "")
            for f in largest[:LARGEST_SHOWN]
        ),
    ]
    grown = _growth(report, baseline)
    if grown:
        lines += ["  grown against specs/platform.yaml:", *grown]
    lines.append(f"  run `python -m generator budget --env {report.environment}` for the table")
    raise BudgetError("\n".join(lines))


def table(report: Report) -> str:
    """Human-readable table of every workload and the totals against the budget."""
    header = (
        "namespace",
        "workload",
        "kind",
        "replicas",
        "cpu req",
        "cpu lim",
        "mem req",
        "mem lim",
    )
    rows = [header]
    for f in sorted(report.footprints, key=lambda f: (f.namespace, f.workload)):
        total = f.total
        rows.append(
            (
                f.namespace,
                f.workload + (" (transient)" if f.transient else ""),
                f.kind,
                str(f.replicas),
                format_cpu(total.cpu_request),
                format_cpu(total.cpu_limit),
                format_memory(total.memory_request),
                format_memory(total.memory_limit),
            )
        )
    steady = report.steady
    rows.append(
        (
            "TOTAL (steady)",
            "",
            "",
            "",
            format_cpu(steady.cpu_request),
            format_cpu(steady.cpu_limit),
            format_memory(steady.memory_request),
            format_memory(steady.memory_limit),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    verdict = "OK" if report.peak_memory <= report.budget else "OVER BUDGET"
    lines.append(
        "peak memory requests (steady + transient pods that can overlap): "
        f"{format_memory(report.peak_memory)} "
        f"of {format_memory(report.budget)} budget "
        f"({100 * report.peak_memory / report.budget:.1f}%) — {verdict}"
    )
    lines.append("not counted: ArgoCD and K3s system pods (see docs/adr/0005-budget.md)")
    return "\n".join(line.rstrip() for line in lines)
