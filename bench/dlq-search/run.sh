#!/usr/bin/env bash
# p50/p99 of typical DLQ operator searches, as the DLQ service's SQL runs them (EntrySearch), on a
# database seeded with bin/dlq-seed. Usage: bench/dlq-search/run.sh [database] [seconds per query]
set -euo pipefail
db="${1:-patient_platform_dlq}"
seconds="${2:-8}"
cd "$(dirname "$0")"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "entries: $(psql -Atd "$db" -c 'SELECT count(*) FROM dead_letter_entry')"
for query in q*.sql; do
  # the facets (q8, q9) run as EntrySearch.facets runs them: grouped by hashing (enable_sort off), no
  # parallel workers
  case "$query" in q8-*|q9-*) options="-c enable_sort=off -c max_parallel_workers_per_gather=0" ;; *) options="" ;; esac
  (cd "$work" && rm -f pgbench_log.* && PGOPTIONS="$options" pgbench -n -c 1 -T "$seconds" -f "$OLDPWD/$query" -l "$db" >/dev/null 2>&1)
  python3 - "$query" "$work" <<'PY'
import glob, sys
latencies = sorted(int(line.split()[2]) / 1000.0 for f in glob.glob(sys.argv[2] + '/pgbench_log.*') for line in open(f))
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
print(f"{sys.argv[1]:22s} n={len(latencies):6d}  p50={pct(0.50):8.2f} ms  p99={pct(0.99):8.2f} ms")
PY
done
