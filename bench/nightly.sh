#!/bin/bash
# Benchmark the whole nightly pipeline at the scale of issue 9: a
# tl-synth log directory with 1,000,000 trades, 100,000 sim runs and
# 2,000 strategies x 750 days (cached under bench/out/, shared with
# bench/ingest.sh) goes through tl-nightly; target: under 60 s on 2 cores
# with peak memory under 1 GiB.  Prints the median wall time of the whole
# run and each step's time (from nightly.log) of the median run, and the
# peak RSS of the largest process (GNU time's maximum over the pipeline
# and every tool it ran).
#
# usage: bench/nightly.sh bindir
# prints: bench nightly: X.X s (target < 60 s), peak RSS N MiB (< 1024)
set -euo pipefail

prog="bench nightly"
runs=3

if [ $# -ne 1 ]; then
	echo "usage: bench/nightly.sh bindir" >&2
	exit 64
fi
if ! bindir=$(cd "$1" 2>/dev/null && pwd); then
	echo "$prog: $1: no such directory (run make first)" >&2
	exit 66
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
top=$PWD
export PATH="$bindir:$PATH" LC_ALL=C TZ=UTC
for t in tl-synth tl-ingest tl-nightly; do
	if [ ! -x "$bindir/$t" ]; then
		echo "$prog: $t is missing from $bindir (not built yet?)" >&2
		exit 1
	fi
done

out=bench/out
mkdir -p "$out"
# shellcheck source=bench/lib/common.sh
. bench/lib/common.sh

synth_scale "$out/synth1m" 1000000
night=$(sed -n 's/.*"end": *"\([0-9-]*\)".*/\1/p' "$out/synth1m/truth.json")
state=$out/nightly-state
cat >"$out/nightly.conf" <<CONF
LOG_DIR=synth1m/logs
STATE_DIR=nightly-state
BIN_DIR=$bindir
MARKET=synth1m/market.csv
SPACE=$top/etc/space.json
CONF

rm -f "$out"/nightly*.times
for ((i = 1; i <= runs; i++)); do
	echo "$prog: run $i/$runs" >&2
	rm -rf "$state"
	measure nightly tl-nightly -c "$out/nightly.conf" -d "$night"
	cp "$state/latest/nightly.log" "$out/nightly.$i.log"
	cp "$state/latest/pipeline.json" "$out/nightly.pipeline.json"
done

med=$(median "$out/nightly.times" 1)
rss=$(median "$out/nightly.times" 2)
# the log of the run whose time is the median
i=$(awk -v m="$med" '$1 == m { print NR; exit }' "$out/nightly.times")
echo "$prog: steps of the median run ($out/nightly.$i.log):"
sed -n 's/.* step \([a-z]*\): \(.*\)/\1 \2/p' "$out/nightly.$i.log" |
    grep -v ' start$' | sed "s/^/$prog:   /"
awk -v s="$med" -v r="$rss" -v n="$runs" -v p="$prog" 'BEGIN {
	printf "%s: median of %d runs; peak RSS is the largest process\n", p, n
	if (r == "-")
		printf "%s: %.1f s (target < 60 s)\n", p, s
	else
		printf "%s: %.1f s (target < 60 s), peak RSS %.0f MiB (target < 1024)\n",
		    p, s, r / 1024
}'
