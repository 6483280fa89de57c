#!/bin/sh
# Logical backup of the warehouse: one pg_dump archive (custom format) per run.
#
# The archive is written under a temporary name, read back with pg_restore --list
# (a truncated or corrupt archive fails the run instead of replacing a good one),
# then renamed; the newest $KEEP archives are kept, older ones deleted. Rendered
# into a ConfigMap and run by the CronJob <cluster>-dump with the cluster's own
# image (its pg_dump is the server's version); tests/jobs/backup runs this file
# against a real PostgreSQL. Restore: jobs/backup/pg_restore.sh.
#
#   BACKUP_DIR  where archives live (the dump volume)
#   KEEP        how many archives to keep (>= 1)
#   DSN_FILE    file holding the connection URI (the owner's, a mounted Secret)
set -eu
: "${BACKUP_DIR:?}" "${KEEP:?}" "${DSN_FILE:?}"
case "$KEEP" in '' | *[!0-9]* | 0) echo "KEEP must be a positive integer, got '$KEEP'" >&2; exit 2 ;; esac

stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
partial="$BACKUP_DIR/.streamflow-$stamp.dump.partial"
final="$BACKUP_DIR/streamflow-$stamp.dump"
trap 'rm -f "$partial"' EXIT INT TERM

pg_dump --format=custom --dbname="$(cat "$DSN_FILE")" --file="$partial"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$final"

# Names sort by time: everything after the newest $KEEP goes.
find "$BACKUP_DIR" -maxdepth 1 -name 'streamflow-*.dump' | sort -r | tail -n "+$((KEEP + 1))" |
  while read -r old; do rm -f -- "$old"; done
kept=$(find "$BACKUP_DIR" -maxdepth 1 -name 'streamflow-*.dump' | wc -l)
echo "backup $final: $(wc -c <"$final") bytes; $kept archive(s) kept"
