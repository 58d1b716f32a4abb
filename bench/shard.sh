#!/bin/bash
# Shard-and-merge against one ingest (issue 24: "equals whole ingest,
# byte for byte, on the 1M log split in 7 uneven shards").  tl-synth
# writes (once, cached under bench/out/) the 1,000,000-trade log of
# bench/ingest.sh; its files are dealt into 7 shards of uneven size
# (about 30, 20, 15, 12, 10, 8 and 5 % of the files, interleaved across
# the days, not in runs), each written by tl-ingest --shard, and merged by
# tl-ingest --merge with the shards in a shuffled order.  Every output of
# the merge is compared with cmp to that of one tl-ingest over the whole
# log; then the times, median of 3: the whole ingest, the shards one after
# the other (their sum: the work) and the largest (the wall time when
# each has a host), and the merge, with the load of the machine.
#
# usage: bench/shard.sh bindir
# prints: bench shard: 13 outputs identical; whole N s, shards N s (sum) /
# N s (largest), merge N s
set -euo pipefail

prog="bench shard"
runs=3
nshards=7

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/shard.sh bindir" 1 "$@"
bench_need tl-synth tl-ingest
out=bench/out
mkdir -p "$out"

synth_scale "$out/synth1m" 1000000
logs=$out/synth1m/logs
work=$out/shard
rm -rf "$work"
mkdir -p "$work"

# deal the files: file i goes to the shard its hash falls in, by the
# cumulative shares below (percent)
find "$logs" -type f | sort >"$work/files"
awk -v dir="$work" 'BEGIN { split("30 50 65 77 87 95 100", cut) }
	{ h = (NR * 7919) % 100; k = 1; while (h >= cut[k]) k++
	  print > (dir "/list" k) }' "$work/files"
for ((k = 1; k <= nshards; k++)); do
	touch "$work/list$k"
done
echo "$prog: files per shard: $(for ((k = 1; k <= nshards; k++)); do
	printf '%s ' "$(wc -l <"$work/list$k")"; done)" >&2
order=$(seq "$nshards" | awk 'BEGIN { srand(3) } { print rand(), $1 }' |
    sort -n | awk -v w="$work" '{ printf "%s/s%s ", w, $2 }')

rm -f "$out"/shard-*.times
for ((i = 1; i <= runs; i++)); do
	echo "$prog: run $i/$runs" >&2
	rm -rf "$work/whole" "$work/merged" "$work"/s[0-9]*
	measure shard-whole tl-ingest -q -d "$work/whole" "$logs"
	for ((k = 1; k <= nshards; k++)); do
		# shellcheck disable=SC2046 # one operand per file
		measure "shard-s$k" tl-ingest -q --shard -d "$work/s$k" \
		    $(cat "$work/list$k")
	done
	# shellcheck disable=SC2086 # one operand per shard
	measure shard-merge tl-ingest -q --merge -d "$work/merged" $order
done

# every output, cmp'd; and no file more or less
diff -rq "$work/whole" "$work/merged" >&2 || {
	echo "$prog: the merge differs from the whole ingest" >&2
	exit 1
}
n=0
for f in "$work/whole"/*; do
	cmp "$f" "$work/merged/${f##*/}"
	n=$((n + 1))
done

# per run: the sum and the largest of the shards' times
paste -d' ' "$out"/shard-s[0-9].times | awk '{ s = 0; m = 0
	for (i = 1; i <= NF; i += 2) { s += $i; if ($i > m) m = $i }
	print s, m }' >"$out/shard-sum.times"
whole=$(median "$out/shard-whole.times" 1)
sum=$(median "$out/shard-sum.times" 1)
largest=$(median "$out/shard-sum.times" 2)
merge=$(median "$out/shard-merge.times" 1)
echo "$prog: input $(du -sm "$logs" | cut -f1) MB on disk, shards $(du -cm "$work"/s[0-9]*/shard.jsonl | tail -n 1 | cut -f1) MB"
echo "$prog: peak RSS KiB: whole $(median "$out/shard-whole.times" 2), merge $(median "$out/shard-merge.times" 2)"
echo "$prog: load:$(uptime | sed 's/.*load average//')"
echo "$prog: $n outputs identical; whole $whole s, shards $sum s (sum) / $largest s (largest), merge $merge s"
