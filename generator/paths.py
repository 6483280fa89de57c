"""Where the repository is.

The generator reads its own files (the CRD lock, the job modules) relative to it,
whatever the working directory.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
