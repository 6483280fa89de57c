"""Versioned SQL migrations (``sql/V<nnn>__<name>.sql``), a runner and seed data."""
