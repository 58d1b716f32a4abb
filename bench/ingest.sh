#!/bin/bash
# Benchmark tl-ingest against jq, the tool people would use instead.
# tl-synth writes (once, cached under bench/out/) a log directory of
# 1,000,000 trades; jq parses and re-prints the same decisions and trades
# (`jq -c .`, concatenated into one file), tl-ingest validates, joins and
# enriches them.  Five runs each, alternating; the medians give
# throughput in MB/s of uncompressed input and peak RSS.  A 250,000-trade
# log shows how tl-ingest's memory grows with the input.
#
# usage: bench/ingest.sh bindir
# prints: bench ingest: throughput ratio X.XX (target >= 8.00)
set -euo pipefail

prog="bench ingest"
runs=5
target=8.00	# issue 24: 8x jq with both cores (issue 9's was 2x)

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/ingest.sh bindir" 1 "$@"
bench_need tl-synth tl-ingest
bench_gnutime

out=bench/out
mkdir -p "$out"
if ! want jq jq; then
	echo "$prog: skipped: jq is not installed (apt-get install -y jq)"
	exit 0
fi

# jsonl_files DIR: the decision and trade JSONL files under DIR, sorted.
jsonl_files() {
	find "$1" -type f \( -name '*decision*.jsonl*' -o \
	    -name '*trade*.jsonl*' \) | sort
}

# bytes_of DIR: uncompressed size of every file under DIR.
bytes_of() {
	find "$1" -type f -print0 | sort -z | xargs -0 zcat -f | wc -c
}

synth_scale "$out/synth1m" 1000000
if [ ! -f "$out/all.jsonl" ] || [ "$out/synth1m.cmd" -nt "$out/all.jsonl" ]; then
	echo "$prog: concatenating decisions and trades into $out/all.jsonl" >&2
	jsonl_files "$out/synth1m/logs" | tr '\n' '\0' | xargs -0 zcat -f \
	    >"$out/all.jsonl.tmp"
	mv "$out/all.jsonl.tmp" "$out/all.jsonl"
fi
jq_bytes=$(wc -c <"$out/all.jsonl")
tl_bytes=$(bytes_of "$out/synth1m/logs")

rm -f "$out"/*.times
for ((i = 1; i <= runs; i++)); do
	echo "$prog: run $i/$runs" >&2
	measure jq jq -c . "$out/all.jsonl"
	measure tl-ingest tl-ingest "$out/synth1m/logs"
done
summary=$(grep -v '^tl-ingest: warning' "$out/tl-ingest.err" | tail -n 1) ||
    summary=
[ -n "$summary" ] && echo "$prog: last tl-ingest said: $summary"

synth_scale "$out/synth250k" 250000
measure tl-ingest-250k tl-ingest "$out/synth250k/logs"
tl_bytes_250k=$(bytes_of "$out/synth250k/logs")

jq_s=$(median "$out/jq.times" 1)
tl_s=$(median "$out/tl-ingest.times" 1)
jq_rss=$(median "$out/jq.times" 2)
tl_rss=$(median "$out/tl-ingest.times" 2)
rss_250k=$(median "$out/tl-ingest-250k.times" 2)

awk -v jb="$jq_bytes" -v tb="$tl_bytes" -v tb4="$tl_bytes_250k" \
    -v js="$jq_s" -v ts="$tl_s" -v jr="$jq_rss" -v tr="$tl_rss" \
    -v r4="$rss_250k" -v n="$runs" -v target="$target" -v p="$prog" '
function mib(k) { return k == "-" ? "n/a" : sprintf("%.1f MiB", k / 1024) }
BEGIN {
	jmb = jb / 1e6 / js; tmb = tb / 1e6 / ts
	printf "%s: jq -c .       %7.1f MB in %6.2f s = %7.1f MB/s, peak RSS %s\n",
	    p, jb / 1e6, js, jmb, mib(jr)
	printf "%s: tl-ingest     %7.1f MB in %6.2f s = %7.1f MB/s, peak RSS %s\n",
	    p, tb / 1e6, ts, tmb, mib(tr)
	if (r4 != "-" && tr != "-")
		printf "%s: tl-ingest RSS 250k trades (%.1f MB) %s, 1M trades (%.1f MB) %s: x%.2f for x%.2f input\n",
		    p, tb4 / 1e6, mib(r4), tb / 1e6, mib(tr), tr / r4, tb / tb4
	printf "%s: medians of %d alternating runs, MB = 10^6 bytes of uncompressed input\n", p, n
	printf "%s: throughput ratio %.2f (target >= %s)\n", p, tmb / jmb, target
}'
