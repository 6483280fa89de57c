"""Command line: ``python -m generator <command>`` (render, budget, diff, validate, ...)."""

import argparse
import json
import sys
from pathlib import Path

from generator.commands.crds.cache import MIRROR_VARIABLE
from generator.commands.diff import DiffError
from generator.commands.fork import fork, placeholder_warning
from generator.commands.report import ReportError
from generator.commands.tools import ToolError
from generator.components import REGISTRY
from generator.components.base import Registry
from generator.manifests.reservations import BudgetError
from generator.pipeline import budget, write
from generator.pipeline.connectivity.contract import cells
from generator.pipeline.connectivity.rendered import ConnectivityError, check_tree
from generator.pipeline.load import SPEC_DIR, SpecError, environments, load
from generator.pipeline.tree import Tree, render_all, render_environment


def _check_budgets(tree: Tree) -> None:
    baseline = budget.footprints(tree.base)
    for environment in tree.environments.values():
        budget.check(budget.footprints(environment), baseline)


def _render(args: argparse.Namespace) -> int:
    tree = render_all(args.specs, args.registry)
    files = tree.files
    _check_budgets(tree)
    check_tree(tree)
    warning = placeholder_warning(tree.base.spec.gitops.repo_url)
    if warning:
        print(warning, file=sys.stderr)
    if args.check:
        problems = write.stale(args.out, files)
        if problems:
            print("generated files are stale; run `python -m generator render`:", file=sys.stderr)
            print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
            return 1
        print(f"render --check: {len(files)} generated files are up to date")
        return 0
    changed = write.write(args.out, files)
    print(f"rendered {len(files)} files ({len(changed)} changed)")
    for relative in changed:
        print(f"  {relative}")
    return 0


def _budget(args: argparse.Namespace) -> int:
    if args.measured and not (args.report and args.env):
        raise ReportError("--measured FILE needs --report DIR and the --env it was measured in")
    status = 0
    for env in [args.env] if args.env else environments(args.specs):
        report = budget.footprints(render_environment(load(env, args.specs, args.registry)))
        print(f"== {env} ==")
        print(budget.table(report))
        if args.report:
            from generator.commands.report import write_report  # noqa: PLC0415 - matplotlib

            written = write_report(report, args.report, args.measured)
            print(f"report: {', '.join(str(path) for path in written)}")
        if report.peak_memory > report.budget:
            status = 1
    return status


def _snapshot(args: argparse.Namespace) -> int:
    from generator.commands.snapshot import snapshot  # noqa: PLC0415 - only diff's base side needs it

    print(json.dumps(snapshot(args.specs, args.registry), sort_keys=True))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from generator.commands import diff  # noqa: PLC0415 - git and a second render, on demand
    from generator.commands.snapshot import snapshot  # noqa: PLC0415

    root = args.specs.resolve().parent
    base = args.base or diff.default_base(root)
    before = diff.base_snapshot(root, base)
    after = snapshot(args.specs, args.registry)
    found = diff.compare(before, after, args.env)
    label = args.base or f"the merge base with main ({base[:12]})"
    print(diff.markdown(found, label) if args.format == "markdown" else diff.text(found, label))
    return 1 if any(env.changed for env in found) else 0


def _connectivity(args: argparse.Namespace) -> int:
    tree = render_all(args.specs, args.registry)
    verdicts = check_tree(tree)
    for env, verdict in verdicts.items():
        if args.env and env != args.env:
            continue
        print(f"{env}: {verdict.allowed + verdict.denied} connections checked: "
              f"{verdict.allowed} allowed (all required), {verdict.denied} denied "
              "(all forbidden), 0 violations")  # fmt: skip
        if args.matrix:
            environment = tree.environments[env]
            for cell in cells(environment.platform):
                mark = "allow" if cell.required else "deny "
                print(f"  {mark} {cell.describe()}  ({cell.why})")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from generator.commands import validate  # noqa: PLC0415 - only this command needs the tool plumbing

    ok = True
    specs = {env: load(env, args.specs, args.registry).spec for env in environments(args.specs)}
    for env, spec in specs.items():
        ok &= validate.validate_environment(args.out, env, spec.cluster.kubernetes_version)
    if ok and args.server:
        from generator.commands.server.run import check_on_server  # noqa: PLC0415 - starts servers

        ok = check_on_server(args.out, specs)
    print("validate: all manifests valid" if ok else "validate: FAILED")
    return 0 if ok else 1


def _crds(args: argparse.Namespace) -> int:
    from generator.commands.crds import cache, lock, refresh, schemas  # noqa: PLC0415 - megabytes of YAML

    if args.refresh:
        refreshed = refresh.refresh()
        print(f"crds: re-pinned {len(refreshed.entries())} files in {lock.LOCK_FILE.name}")
    elif args.sync:
        synced = cache.sync(mirror=cache.mirror_from_environment())
        print(f"crds: {synced.files} locked files verified in {synced.directory} "
              f"(from {synced.origin})")  # fmt: skip
    found = cache.problems()
    if found:
        print(f"crds: the cache does not match {lock.LOCK_FILE.name}:", file=sys.stderr)
        print("\n".join(f"  {problem}" for problem in found), file=sys.stderr)
        return 1
    if args.schemas:
        count = schemas.write_schemas(lock.load_lock(), cache.verified(), args.schemas)
        print(f"crds: wrote {count} kubeconform schemas to {args.schemas}")
    print(f"crds: every locked file matches {lock.LOCK_FILE.name}")
    return 0


def _scan(args: argparse.Namespace) -> int:
    from generator.commands import scan  # noqa: PLC0415 - only this command runs checkov

    found = scan.scan(args.out, environments(args.specs))
    print(f"checkov: {found.objects} objects written, {found.resources} resources parsed; "
          f"{found.passed} checks passed, {len(found.failed)} failed; skipped by .checkov.yaml "
          f"(ADR 0007): {', '.join(found.skipped_by_config)}")  # fmt: skip
    for finding in found.failed:
        print(f"  {finding.describe()}")
    return 1 if found.failed else 0


def _fork(args: argparse.Namespace) -> int:
    changed = fork(args.specs, args.repo_url, args.image_registry)
    print(f"fork: {len(changed)} spec file(s) now point at {args.repo_url} and "
          f"{args.image_registry}")  # fmt: skip
    for path in changed:
        print(f"  {path}")
    print("next: `python -m generator render`, then commit specs/ and the rendered files")
    return 0


def parser() -> argparse.ArgumentParser:
    """Argument parser of the generator CLI."""
    main = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    main.add_argument("--specs", type=Path, default=SPEC_DIR, help="spec directory")
    main.add_argument("--out", type=Path, default=Path("."), help="repository root to write")
    commands = main.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="write apps/, overlays/ and argocd/")
    render.add_argument("--check", action="store_true", help="fail if committed output is stale")
    render.set_defaults(run=_render)
    report = commands.add_parser("budget", help="print memory requests against the budget")
    report.add_argument("--env", help="one environment (default: all)")
    report.add_argument(
        "--report", type=Path, metavar="DIR",
        help="also write budget-<env>.html/.svg/.png here (needs the `report` extra)",
    )  # fmt: skip
    report.add_argument(
        "--measured", type=Path, metavar="FILE",
        help="with --report: a footprint record (benchmarks/footprint.py --record) shown beside "
        "the requests",
    )  # fmt: skip
    report.set_defaults(run=_budget)
    changes = commands.add_parser(
        "diff",
        help="what the working tree changes against a base ref, per environment "
        "and Application, by object and field, and in the budget (exit 1: differences)",
    )
    changes.add_argument("--base", help="git ref to compare with (default: merge base with main)")
    changes.add_argument("--env", help="one environment (default: all)")
    changes.add_argument("--format", choices=["text", "markdown"], default="text")
    changes.set_defaults(run=_diff)
    snap = commands.add_parser("snapshot", help="every environment as JSON (what diff compares)")
    snap.set_defaults(run=_snapshot)
    check = commands.add_parser("validate", help="kustomize build | kubeconform -strict")
    check.add_argument(
        "--server",
        action="store_true",
        help="also dry-run everything server-side on a local kube-apiserver + etcd",
    )
    check.set_defaults(run=_validate)
    contract = commands.add_parser(
        "connectivity", help="check the NetworkPolicies against the connectivity contract"
    )
    contract.add_argument("--env", help="one environment (default: all)")
    contract.add_argument("--matrix", action="store_true", help="print every connection")
    contract.set_defaults(run=_connectivity)
    scanner = commands.add_parser("scan", help="checkov over every object ArgoCD applies")
    scanner.set_defaults(run=_scan)
    vendored = commands.add_parser(
        "crds",
        help="check the cached CRDs against crds/lock.yaml (default), obtain them, or re-pin them",
    )
    action = vendored.add_mutually_exclusive_group()
    action.add_argument(
        "--check", action="store_true", help="check the cache against the lock (the default)"
    )
    action.add_argument(
        "--sync", action="store_true",
        help=f"obtain the locked files into .cache/crds/ from ${MIRROR_VARIABLE} or GitHub",
    )  # fmt: skip
    action.add_argument(
        "--refresh", action="store_true",
        help="re-pin every file at its tag from GitHub and rewrite the lock (network)",
    )  # fmt: skip
    vendored.add_argument("--schemas", type=Path, help="also write kubeconform schemas here")
    vendored.set_defaults(run=_crds)
    retarget = commands.add_parser(
        "fork", help="point the spec at a fork's Git remote and image registry"
    )
    retarget.add_argument(
        "--repo-url", required=True, help="the fork's clone URL (ArgoCD pulls it)"
    )
    retarget.add_argument(
        "--registry",
        dest="image_registry",
        required=True,
        help="registry prefix of the platform's own images, e.g. ghcr.io/you",
    )
    retarget.set_defaults(run=_fork)
    return main


def main(argv: list[str] | None = None, registry: Registry = REGISTRY) -> int:
    """Run one command; spec and budget errors are one clear message, not a traceback."""
    args = parser().parse_args(argv)
    args.registry = registry  # the components (not an image registry)
    try:
        return int(args.run(args))
    except (SpecError, BudgetError, ConnectivityError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (
        ToolError,
        DiffError,
        ReportError,
    ) as error:  # exit 2: not an answer (diff's 1 is "differs")
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
