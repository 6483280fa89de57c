#!/bin/sh
# Restore a pg_dump archive of jobs/backup/pg_dump.sh into a database.
#
# The target is a database bootstrapped from the same spec (its roles exist:
# roles are cluster-wide and not in the archive). Objects in the archive are
# dropped and re-created in one transaction with their owners and grants, so a
# failure leaves the target as it was. Run as a superuser: dbt's tables belong
# to dbt's role, bronze to the owner.
#
#   pg_restore.sh ARCHIVE DSN
set -eu
[ "$#" -eq 2 ] || { echo "usage: pg_restore.sh ARCHIVE DSN" >&2; exit 2; }
pg_restore --clean --if-exists --single-transaction --exit-on-error --dbname="$2" "$1"
echo "restored $1"
