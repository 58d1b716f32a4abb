#!/bin/bash
# Benchmark the whole nightly pipeline at the scales of issues 9 and 24:
# a tl-synth log directory (cached under bench/out/) goes through
# tl-nightly, three times.
#   1x:  1,000,000 trades, 100,000 sim runs, 2,000 strategies x 750 days
#        (shared with bench/ingest.sh); target under 30 s on 2 cores with
#        peak memory under 1 GiB
#   10x: 10,000,000 trades, 1,000,000 runs, 5,000 strategies x 750 days
#        (200 monthly periods; some 7 GB); target under 6 minutes with
#        peak memory under 2 GiB
# Prints the median wall time of the whole run and each step's time (from
# nightly.log) of the median run, and the peak RSS of the largest process
# (GNU time's maximum over the pipeline and every tool it ran).
#
# usage: bench/nightly.sh bindir [1x | 10x]   (environment: BENCH_RUNS, 3)
# prints: bench nightly 1x: X.X s (target < 30 s), peak RSS N MiB (< 1024)
set -euo pipefail

size=${2:-1x}
prog="bench nightly $size"
runs=${BENCH_RUNS:-3}	# fewer for a first look at 10x

# size: the log, its directory, and the targets in seconds and MiB
case $size in
1x)	name=synth1m trades=1000000 strategies=2000 periods=50
	max_s=30 max_mib=1024 ;;
10x)	name=synth10m trades=10000000 strategies=5000 periods=200
	max_s=360 max_mib=2048 ;;
*)	echo "usage: bench/nightly.sh bindir [1x | 10x]" >&2
	exit 64 ;;
esac
# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/nightly.sh bindir [1x | 10x]" 2 "$@"
top=$PWD
bench_need tl-synth tl-ingest tl-nightly
bench_gnutime

out=bench/out
mkdir -p "$out"

synth_scale "$out/$name" "$trades" "$strategies" "$periods"
night=$(sed -n 's/.*"end": *"\([0-9-]*\)".*/\1/p' "$out/$name/truth.json")
state=$out/nightly-$size-state
cat >"$out/nightly-$size.conf" <<CONF
LOG_DIR=$name/logs
STATE_DIR=nightly-$size-state
BIN_DIR=$bindir
MARKET=$name/market.csv
SPACE=$top/etc/space.json
CONF

t=nightly-$size
rm -f "$out/$t.times"
for ((i = 1; i <= runs; i++)); do
	echo "$prog: run $i/$runs ($(uptime))" >&2
	rm -rf "$state"
	measure "$t" tl-nightly -c "$out/$t.conf" -d "$night"
	cp "$state/latest/nightly.log" "$out/$t.$i.log"
	cp "$state/latest/pipeline.json" "$out/$t.pipeline.json"
done

med=$(median "$out/$t.times" 1)
rss=$(median "$out/$t.times" 2)
# the log of the run whose time is the median
i=$(awk -v m="$med" '$1 == m { print NR; exit }' "$out/$t.times")
echo "$prog: steps of the median run ($out/$t.$i.log):"
sed -n 's/.* step \([a-z]*\): \(.*\)/\1 \2/p' "$out/$t.$i.log" |
    grep -v ' start$' | sed "s/^/$prog:   /"
echo "$prog: load after the runs: $(uptime)"
awk -v s="$med" -v r="$rss" -v n="$runs" -v p="$prog" -v ms="$max_s" \
    -v mm="$max_mib" 'BEGIN {
	printf "%s: median of %d runs; peak RSS is the largest process\n", p, n
	if (r == "-")
		printf "%s: %.1f s (target < %d s)\n", p, s, ms
	else
		printf "%s: %.1f s (target < %d s), peak RSS %.0f MiB (target < %d)\n",
		    p, s, ms, r / 1024, mm
}'
