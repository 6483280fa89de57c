"""Least-privilege warehouse roles: what each login may do, as idempotent SQL.

Standard library only, like ``catalog``: the manifest generator renders the
same statements into the ``Cluster``'s bootstrap and the migration Job, and
the tests apply them to a real PostgreSQL.

Access is declared per schema (``postgres.roles`` in the spec):

- ``read``: use the schema, ``SELECT`` its tables;
- ``write``: ``read`` plus ``INSERT``/``UPDATE`` (upserts) and its sequences,
  never ``DELETE``, ``TRUNCATE`` or DDL — the streaming sinks;
- ``build``: use and ``CREATE`` in the schema, so the role owns the tables it
  builds (dbt replaces them) but not the schema.

The owner keeps the schemas and grants from them. ``owner_grants`` is what the
owner can run itself, every time migrations run: for every role and every
schema it first revokes, then grants exactly what the spec says, in one
transaction, so a narrowed access takes effect and nobody sees a gap.
``superuser_setup`` runs once at ``initdb`` (the only time CloudNativePG runs
SQL as superuser): it creates the roles (``NOLOGIN``; CloudNativePG's managed
roles then adopt them and set login and password) and lets the owner read the
tables a ``build`` role creates — the maintenance DAG checks silver before it
prunes bronze.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Access = Literal["read", "write", "build"]
ACCESS_LEVELS: tuple[Access, ...] = ("read", "write", "build")
_TABLES: Mapping[Access, str] = {"read": "SELECT", "write": "SELECT, INSERT, UPDATE"}
_SCHEMA: Mapping[Access, str] = {"read": "USAGE", "write": "USAGE", "build": "USAGE, CREATE"}
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(identifier: str) -> str:
    """Role and schema names go into SQL unquoted: only plain lower-case identifiers."""
    if not IDENTIFIER.match(identifier):
        raise ValueError(f"{identifier!r} is not a plain PostgreSQL identifier ([a-z_][a-z0-9_]*)")
    return identifier


@dataclass(frozen=True)
class RoleAccess:
    """One login role and its access per schema."""

    name: str
    access: Mapping[str, Access]

    def builds(self) -> list[str]:
        """Schemas where this role creates (and so owns) tables."""
        return [schema for schema, level in sorted(self.access.items()) if level == "build"]


def _revoke_owned(name: str, schemas: Sequence[str]) -> str:
    """Revoke on every table and sequence the owner owns there (the only grants it made).

    ``REVOKE ... ON ALL TABLES IN SCHEMA`` would also touch tables a ``build``
    role owns, where the owner holds nothing to revoke.
    """
    listed = ", ".join(f"'{schema}'" for schema in schemas)
    return (
        "DO $$ DECLARE item record; BEGIN FOR item IN SELECT c.relkind, n.nspname, c.relname "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relowner = current_user::regrole AND n.nspname IN ({listed}) "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') LOOP "
        "EXECUTE format('REVOKE ALL ON %s %I.%I FROM %I', CASE item.relkind WHEN 'S' "
        f"THEN 'SEQUENCE' ELSE 'TABLE' END, item.nspname, item.relname, '{name}'); "
        "END LOOP; END $$;"
    )


def _role_statements(role: RoleAccess, schemas: Sequence[str]) -> list[str]:
    name = _checked(role.name)
    statements = [_revoke_owned(name, schemas)]
    for schema in schemas:
        statements += [
            f"REVOKE ALL ON SCHEMA {schema} FROM {name};",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {name};",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {name};",
        ]
        level = role.access.get(schema)
        if level is None:
            continue
        statements.append(f"GRANT {_SCHEMA[level]} ON SCHEMA {schema} TO {name};")
        tables = _TABLES.get(level)
        if tables:
            statements += [
                f"GRANT {tables} ON ALL TABLES IN SCHEMA {schema} TO {name};",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {tables} ON TABLES TO {name};",
            ]
        if level == "write":
            statements += [
                f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {name};",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {name};",
            ]
    return statements


def conflicts(roles: Sequence[RoleAccess]) -> list[tuple[str, str, str]]:
    """``(role, schema, builder)`` where a role would read tables another role builds.

    Those tables are the builder's: the owner cannot grant them, so this module
    does not offer it (only the owner reads them, for maintenance).
    """
    builders = {schema: role.name for role in roles for schema in role.builds()}
    return [
        (role.name, schema, builders[schema])
        for role in roles
        for schema, level in sorted(role.access.items())
        if schema in builders and builders[schema] != role.name
    ]


def owner_grants(roles: Sequence[RoleAccess], schemas: Sequence[str]) -> str:
    """What the schemas' owner runs (in one transaction) to give each role exactly its access."""
    schemas = [_checked(schema) for schema in schemas]
    for role in roles:
        unknown = sorted(set(role.access) - set(schemas))
        if unknown:
            raise ValueError(f"role {role.name}: unknown schemas {unknown} (known: {schemas})")
    if found := conflicts(roles):
        reader, schema, builder = found[0]
        raise ValueError(f"role {reader}: schema {schema} holds tables {builder} builds")
    lines = ["-- generated from postgres.roles: revoke, then grant exactly the declared access"]
    for role in sorted(roles, key=lambda r: r.name):
        lines += _role_statements(role, schemas)
    return "\n".join(lines) + "\n"


def superuser_setup(owner: str, roles: Sequence[RoleAccess]) -> str:
    """Run once as superuser: the roles exist, and the owner reads what ``build`` roles create."""
    owner = _checked(owner)
    lines = []
    for role in sorted(roles, key=lambda r: r.name):
        name = _checked(role.name)
        lines.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
            f"THEN CREATE ROLE {name} NOLOGIN; END IF; END $$;"
        )
        for schema in map(_checked, role.builds()):
            lines.append(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {name} IN SCHEMA {schema} "
                f"GRANT SELECT ON TABLES TO {owner};"
            )
    return "\n".join(lines) + "\n"
