#!/bin/bash
# Benchmark tl-overfit.  Speed: CSCV with S=16 over 1,000 strategies x
# 2,520 days (seeded normal returns, written once under bench/out/),
# median of 5 runs on 1 and 2 threads, against an independent numpy CSCV
# (testdata/tl-overfit/cscv.py, one run: it is slow) when python3-numpy is
# there.  Detection: decay alerts at the default settings on 8 tl-synth
# nights (100 strategies, 200 days, 200,000 trades, seeds 1-8) against
# truth.json's decaying strategies; the pooled confusion matrix.
#
# usage: bench/overfit.sh bindir
# prints: bench overfit: cscv 1000x2520 S=16 median X s (target < 2 s)
#         bench overfit: decay precision P recall R (target >= 0.9)
set -euo pipefail

prog="bench overfit"
runs=5
seeds="${TL_BENCH_SEEDS:-1 2 3 4 5 6 7 8}"

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/overfit.sh bindir" 1 "$@"
bench_need tl-synth tl-ingest tl-overfit

if ! want jq jq || ! want gawk awk; then
	echo "$prog: skipped: jq is not installed (apt-get install -y jq)"
	exit 0
fi
py=
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null
then
	py=/usr/bin/python3
elif [ "$(id -u)" -eq 0 ] && want python3-numpy /usr/bin/python3 &&
    /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
	py=/usr/bin/python3
else
	echo "$prog: no numpy (apt-get install -y python3-numpy): tl-overfit only" >&2
fi

out=bench/out/overfit
mkdir -p "$out"

# The 2,520 x 1,000 panel (wide CSV), N(0.0003, 0.01^2), written by awk
# with a fixed seed once.
panel=$out/panel-1000x2520.csv
if [ ! -s "$panel" ]; then
	echo "$prog: writing $panel" >&2
	awk 'BEGIN {
		srand(20260108)
		printf "date"
		for (j = 0; j < 1000; j++)
			printf ",C%04d", j
		printf "\n"
		split("31 28 31 30 31 30 31 31 30 31 30 31", ml, " ")
		y = 2016; m = 1; d = 1
		for (t = 0; t < 2520; t++) {
			printf "%04d-%02d-%02d", y, m, d
			leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
			if (++d > ml[m] + (m == 2 && leap)) {
				d = 1
				if (++m > 12) { m = 1; y++ }
			}
			for (j = 0; j < 1000; j++) {
				u = rand(); v = rand()
				if (u < 1e-12) u = 1e-12
				z = sqrt(-2 * log(u)) * cos(6.283185307179586 * v)
				printf ",%.6f", 0.0003 + 0.01 * z
			}
			printf "\n"
		}
	}' >"$panel.tmp"
	mv "$panel.tmp" "$panel"
fi



# cpu CMD: user + system seconds of CMD (GNU time), or "-"
cpu() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S' -o "$out/cpu" "$@" >/dev/null
		awk '{ printf "%.2f\n", $1 + $2 }' "$out/cpu"
	else
		"$@" >/dev/null
		echo -
	fi
}

# tl-overfit reads the 24 MB panel each time; the read is timed too.  The
# machine is shared: CPU time shows the work when wall time is queueing.
# -S 2 (2 combinations) is nearly all reading.
for _ in $(seq "$runs"); do
	cpu tl-overfit pbo -q -T 1 -S 2 "$panel"
done >"$out/read"
echo "$prog: reading the panel (-S 2): median cpu $(median <"$out/read") s"
for th in 1 2; do
	for _ in $(seq "$runs"); do
		seconds tl-overfit pbo -q -T "$th" -S 16 -o "$out/pbo-$th.json" "$panel"
		cpu tl-overfit pbo -q -T "$th" -S 16 "$panel" >>"$out/c$th"
	done >"$out/t$th"
	echo "$prog: cscv 1000x2520 S=16 threads $th: median wall $(median <"$out/t$th") s, cpu $(median <"$out/c$th") s ($runs runs)"
	rm -f "$out/c$th"
done
cmp -s "$out/pbo-1.json" "$out/pbo-2.json" ||
    echo "$prog: WARNING: 1 and 2 threads differ"
med=$(median <"$out/t2")
if [ -n "$py" ]; then
	pt=$(seconds "$py" testdata/tl-overfit/cscv.py --fast "$panel" 16)
	"$py" testdata/tl-overfit/cscv.py --fast "$panel" 16 >"$out/numpy.json"
	echo "$prog: numpy cscv (testdata/tl-overfit/cscv.py --fast, 1 run): $pt s; ratio $(awk -v a="$pt" -v b="$med" 'BEGIN { printf "%.1f", a / b }')x"
	jq -r --arg p "$prog" --slurpfile w "$out/numpy.json" \
	    '"\($p): pbo \(.pbo) (numpy \($w[0].pbo))"' "$out/pbo-2.json"
fi
echo "bench overfit: cscv 1000x2520 S=16 median $med s on 2 threads (target < 2 s)"

# Detection on tl-synth nights.
tp=0 fp=0 fn=0 tn=0
for s in $seeds; do
	d=$out/synth-$s
	if [ ! -s "$d/night/returns.csv" ]; then
		rm -rf "$d"
		tl-synth -q -o "$d" --strategies 100 --days 200 --trades 200000 \
		    --dirt 0 --gzip-after 0 -s "$s"
		tl-ingest -q -d "$d/night" "$d/logs"
	fi
	tl-overfit check -q --returns "$d/night/returns.csv" \
	    --promotions "$d/night/promotions.jsonl" \
	    --runs "$d/night/runs.jsonl" -o "$d/alerts.jsonl"
	jq -r 'select(.kind == "decay") | .strategy' "$d/alerts.jsonl" |
	    sort -u >"$d/flagged"
	jq -r '.promotions.decaying[]' "$d/truth.json" | sort >"$d/truth"
	jq -r .strategy "$d/night/promotions.jsonl" | sort -u >"$d/promoted"
	a=$(comm -12 "$d/truth" "$d/flagged" | wc -l)
	b=$(comm -13 "$d/truth" "$d/flagged" | wc -l)
	c=$(comm -23 "$d/truth" "$d/flagged" | wc -l)
	n=$(wc -l <"$d/promoted")
	echo "$prog: seed $s: TP $a FP $b FN $c TN $((n - a - b - c))"
	tp=$((tp + a)) fp=$((fp + b)) fn=$((fn + c)) tn=$((tn + n - a - b - c))
done
echo "$prog: confusion (pooled, rows truth): decaying [TP $tp, FN $fn]; not decaying [FP $fp, TN $tn]"
awk -v tp="$tp" -v fp="$fp" -v fn="$fn" 'BEGIN {
	printf "bench overfit: decay precision %.3f recall %.3f (target >= 0.9)\n",
	    tp / (tp + fp), tp / (tp + fn) }'
