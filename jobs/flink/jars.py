"""The connector jars (Kafka, JDBC, PostgreSQL driver) the jobs load.

``connectors-pom.xml`` is the one list: Maven resolves it here for local runs
and tests, and the job image's Dockerfile resolves the same pom into Flink's
``lib/`` at build time.
"""

import sys
from pathlib import Path

from libs.maven import resolve

CONNECTORS_POM = Path(__file__).with_name("connectors-pom.xml")


def connector_jars() -> list[str]:
    """``file://`` URIs of every connector jar, resolved on first use."""
    libs = resolve(CONNECTORS_POM, "flink-connectors")
    return [path.resolve().as_uri() for path in sorted(libs.glob("*.jar"))]


if __name__ == "__main__":
    print("\n".join(connector_jars()))
    sys.exit(0)
