"""The secret gate: no credential may enter git (docs/adr/0015-supply-chain.md).

Scans every tracked file with detect-secrets against a copy of the committed,
reviewed baseline (``.secrets.baseline``, every entry labelled
``is_secret: false`` by a human) and fails on any finding the baseline does not
already mark as a false positive. The baseline is never rewritten here, so a
finding that only moved lines changes nothing in the tree.

    python scripts/secret_scan.py [--repo DIR]
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASELINE = ".secrets.baseline"
# Checksums are high-entropy by design, never credentials: the sha256 pins of the
# locked packages, of the Maven jars and of the locked CRDs (with their upstream
# commits); the baseline holds hashes of its findings.
EXCLUDED = r"^(locks/|crds/lock\.yaml$|\.secrets\.baseline$)|\.sha256$"


def new_findings(repo: Path) -> list[str]:
    """``file:line: type`` of every finding not labelled a false positive in the baseline."""
    beside = Path(sys.executable).parent / "detect-secrets"
    detect_secrets = str(beside) if beside.exists() else shutil.which("detect-secrets")
    if detect_secrets is None:
        raise SystemExit("detect-secrets is not installed; run `make setup`")
    with tempfile.TemporaryDirectory() as work:
        baseline = Path(work) / "baseline.json"
        shutil.copyfile(repo / BASELINE, baseline)
        subprocess.run([detect_secrets, "scan", "--baseline", str(baseline),
                        "--exclude-files", EXCLUDED], cwd=repo, check=True,
                       capture_output=True)  # fmt: skip
        results = json.loads(baseline.read_text(encoding="utf-8"))["results"]
    return [
        f"{path}:{finding['line_number']}: {finding['type']}"
        for path, findings in sorted(results.items())
        for finding in findings
        if finding.get("is_secret") is not False
    ]


def main(argv: list[str] | None = None) -> int:
    """Exit 1 and list the findings when there is anything new."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, default=Path("."))
    found = new_findings(parser.parse_args(argv).repo)
    if found:
        print("secret scan: findings not in the reviewed baseline (.secrets.baseline):")
        print("\n".join(f"  {line}" for line in found))
        print("remove the credential; a false positive is labelled in the baseline by review")
        return 1
    print("secret scan: no new findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
