#!/bin/bash
# Benchmark tl-ingest on JSON documents against the same records as JSON
# Lines (issue 21): tl-synth writes (once, cached under bench/out/) a log
# of 300,000 trades over 10 days twice with the same seed, as JSON Lines
# and with -f json-array (each file one top-level JSON array, decisions
# and trades of a day some 10 to 20 MB each).  tl-ingest reads each log
# directory (validating, joining, writing the trades to /dev/null); five
# runs each, alternating.  The documents are read as streams: their peak
# RSS must stay that of the JSON Lines run (bounded by the join and
# de-duplication state, not by a file), and the throughput within 20% of
# it.  Needs GNU time.
#
# With "big": 2,600,000 trades on one day (every decision before every
# trade: the decisions are one 1.04 GB array), three runs each way with
# --memory 64M, and one in memory for comparison: the peak RSS must stay
# under 100 MiB.  About 15 minutes on a quiet 2-core machine.
#
# usage: bench/ingest-json.sh bindir [big]
# prints: bench ingest-json: throughput ratio X.XX on CPU time, Y.YY on
# wall time (target >= 0.80)
set -euo pipefail

prog="bench ingest-json"
runs=5
target=0.80

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/ingest-json.sh bindir [big]" 2 "$@"
bench_need tl-synth tl-ingest
bench_gnutime

size=${2:-small}
out=bench/out/json
shape=(--days 10 --strategies 500 --periods 10 --trades 300000)
mem=()
case $size in
small) ;;
big)
	out=bench/out/json-big
	shape=(--days 1 --strategies 50 --periods 3 --trades 2600000)
	mem=(--memory 64M)
	runs=3
	;;
*)
	echo "usage: bench/ingest-json.sh bindir [big]" >&2
	exit 64
	;;
esac
mkdir -p "$out"
if [ -z "$gnutime" ]; then
	echo "$prog: skipped: no /usr/bin/time (apt-get install -y time)"
	exit 0
fi

# synth NAME ARGS...: the log as tl-synth ARGS writes it into
# $out/NAME, unless the same command already did ($out/NAME.cmd)
synth() {
	local dir=$out/$1
	shift
	local cmd=(tl-synth -q -d "$dir" "${shape[@]}" --gzip-after 0 --dirt 0
	    -s 1 "$@")
	if [ -f "$dir.cmd" ] && [ "$(cat "$dir.cmd")" = "${cmd[*]}" ]; then
		return 0
	fi
	echo "$prog: ${cmd[*]}" >&2
	rm -rf "$dir" "$dir.cmd"
	"${cmd[@]}"
	echo "${cmd[*]}" >"$dir.cmd"
}
synth jsonl
synth json -f json-array
bytes=$(find "$out/json/logs" -type f -print0 | sort -z | xargs -0 cat | wc -c)

# cpu NAME DIR: one run, its wall and CPU (user + system) seconds and
# peak RSS appended to NAME.cpu; the CPU time is what other work on a
# shared machine changes least
cpu() {
	local name=$1 dir=$2
	shift 2
	/usr/bin/time -f "%e %U %S %M" -o "$out/$name.t" \
	    tl-ingest -q -o /dev/null "$@" "$dir"
	awk '{ print $1, $2 + $3, $4 }' "$out/$name.t" >>"$out/$name.cpu"
}
rm -f "$out"/*.cpu
for ((i = 1; i <= runs; i++)); do
	echo "$prog: run $i/$runs" >&2
	cpu jsonl "$out/jsonl/logs" "${mem[@]}"
	cpu json "$out/json/logs" "${mem[@]}"
done
if [ "$size" = big ]; then
	echo "$prog: one run in memory" >&2
	cpu inmem "$out/json/logs"
fi
# the same records read both ways
tl-ingest "${mem[@]}" -e trades "$out/jsonl/logs" 2>&1 >/dev/null | grep -v sources |
    tail -n 1 >"$out/jsonl.sum"
tl-ingest "${mem[@]}" -e trades "$out/json/logs" 2>&1 >/dev/null | grep -v sources |
    tail -n 1 >"$out/json.sum"
if ! cmp -s "$out/jsonl.sum" "$out/json.sum"; then
	echo "$prog: the two readings differ:" >&2
	cat "$out/jsonl.sum" "$out/json.sum" >&2
	exit 1
fi
records=$(sed -n 's/^tl-ingest: read \([0-9]*\),.*/\1/p' "$out/json.sum")

awk -v b="$bytes" -v n="$records" -v r="$runs" -v t="$target" -v p="$prog" \
    -v lw="$(median "$out/jsonl.cpu" 1)" -v lc="$(median "$out/jsonl.cpu" 2)" \
    -v lr="$(median "$out/jsonl.cpu" 3)" -v dw="$(median "$out/json.cpu" 1)" \
    -v dc="$(median "$out/json.cpu" 2)" -v dr="$(median "$out/json.cpu" 3)" '
function mib(k) { return sprintf("%.1f MiB", k / 1024) }
BEGIN {
	printf "%s: %d records, JSON arrays %.1f MB\n", p, n, b / 1e6
	printf "%s: JSON Lines CPU %5.2f s = %5.1f MB/s (wall %5.2f s), peak RSS %s\n",
	    p, lc, b / 1e6 / lc, lw, mib(lr)
	printf "%s: JSON array CPU %5.2f s = %5.1f MB/s (wall %5.2f s), peak RSS %s\n",
	    p, dc, b / 1e6 / dc, dw, mib(dr)
	printf "%s: medians of %d alternating runs, same summary both ways\n", p, r
	printf "%s: throughput ratio %.2f on CPU time, %.2f on wall time (target >= %.2f)\n",
	    p, lc / dc, lw / dw, t
}'
if [ "$size" = big ]; then
	awk -v p="$prog" -v m="${mem[*]}" '{
		printf "%s: in memory: CPU %.2f s (wall %.2f s), peak RSS %.1f MiB; the peak with %s: target < 100 MiB\n",
		    p, $2, $1, $3 / 1024, m }' "$out/inmem.cpu"
fi
