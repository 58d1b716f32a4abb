#!/bin/bash
# Recovery and out of sample of tl-policy on tl-synth --signals logs
# (issue 22): seeds 1..SEEDS (10) of 40000 signals, 4 strategies, 120
# days, each through tests/cli/tl-policy/synth-recovery.sh (what it checks
# is said there), with the wall time of all.
#
# usage: bench/policy-recovery.sh bindir [seeds]
# prints the table, then: bench policy-recovery: B/N seeds better out of
#         sample, recovery gate G/4N hold H/4N horizon K/2N fee F/24N,
#         size ordered S/N, T s
set -euo pipefail

prog="bench policy-recovery"
# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/policy-recovery.sh bindir [seeds]" 2 "$@"
bench_need tl-synth tl-ingest tl-policy
seeds=${2:-10}
if ! want jq jq; then
	echo "$prog: skipped: jq is not installed (apt-get install -y jq)"
	exit 0
fi
out=bench/out/policy-recovery
mkdir -p "$out"
t0=$(date +%s%N)
for s in $(seq "$seeds"); do
	tests/cli/tl-policy/synth-recovery.sh "$out" "$s"
done | tee "$out/table" >&2
t1=$(date +%s%N)
awk -v n="$seeds" -v t0="$t0" -v t1="$t1" '
{
	split($4, a, "/"); g += a[1]
	if ($6 == "ordered") z++
	split($8, a, "/"); h += a[1]
	split($10, a, "/"); k += a[1]
	split($12, a, "/"); f += a[1]
	if ($NF == "better") b++
}
END {
	printf "bench policy-recovery: %d/%d seeds better out of sample, " \
	    "recovery gate %d/%d hold %d/%d horizon %d/%d fee %d/%d, size " \
	    "ordered %d/%d, %.1f s\n", b, n, g, 4 * n, h, 4 * n, k, 2 * n,
	    f, 24 * n, z, n, (t1 - t0) / 1e9
}' "$out/table"
