#!/bin/bash
# Benchmark tl-policy at issue 22's scale: 1,000,000 signals, their
# outcomes at 5 horizons (5,000,000 lines) and about 200,000
# counterfactuals (the signals below the engine's gate), from
# testdata/tl-policy/gen.awk with 20 strategies and 50 symbols, written
# once under bench/out/policy/.  Speed: each of the six subcommands alone
# (median of 3 runs, wall time and peak RSS), their sum, and the six
# started together (one wall time: they share the 2 cores).  Memory: the
# same runs on the first quarter of every file, which must give the same
# peak RSS (accumulators per group, not per row).  Recovery on the same
# data against truth.json: gate within 0.05, hold within one grid step,
# best horizons exact, the fee gate above the planted fee.
#
# usage: bench/policy.sh bindir
# prints: bench policy: six subcommands A s one after another, B s
#         together (target < 10 s on 2 cores); peak RSS C MiB, D MiB on
#         a quarter of the rows
#         bench policy: recovery gate G/20 hold H/20 horizon K/2 fee F/50
set -euo pipefail

prog="bench policy"
runs=3

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/policy.sh bindir" 1 "$@"
bench_need tl-policy
bench_gnutime
out=bench/out/policy
mkdir -p "$out"
if ! want jq jq; then
	echo "$prog: skipped: jq is not installed (apt-get install -y jq)"
	exit 0
fi

data=$out/data
gen=(awk -v out="$data" -v n=1000000 -v strategies=20 -v symbols=50
    -f testdata/tl-policy/gen.awk)
if [ ! -f "$data.cmd" ] || [ "$(cat "$data.cmd")" != "${gen[*]}" ]; then
	echo "$prog: ${gen[*]}" >&2
	rm -rf "$data" "$data.cmd"
	mkdir -p "$data"
	"${gen[@]}"
	echo "${gen[*]}" >"$data.cmd"
fi
quarter=$out/quarter
if [ ! -f "$quarter/done" ]; then
	mkdir -p "$quarter"
	for f in trades counterfactuals signal-outcomes; do
		n=$(wc -l <"$data/$f.jsonl")
		head -n $((n / 4)) "$data/$f.jsonl" >"$quarter/$f.jsonl"
	done
	cp "$data/returns.csv" "$data/regimes.jsonl" "$quarter/"
	touch "$quarter/done"
fi

# args KIND DIR: the inputs of subcommand KIND from DIR.
args() {
	case $1 in
	gate) echo "$2/trades.jsonl $2/counterfactuals.jsonl" ;;
	size | hold | fee) echo "$2/trades.jsonl" ;;
	horizon) echo "$2/signal-outcomes.jsonl" ;;
	breaker) echo "--regimes $2/regimes.jsonl $2/returns.csv" ;;
	esac
}

kinds="gate size hold fee horizon breaker"
rm -f "$out"/*.times
for k in $kinds; do
	for _ in $(seq "$runs"); do
		# shellcheck disable=SC2046 # the file names split on purpose
		measure "$k" tl-policy "$k" -q -o /dev/null $(args "$k" "$data")
	done
	# shellcheck disable=SC2046
	measure "$k-quarter" tl-policy "$k" -q -o /dev/null \
	    $(args "$k" "$quarter")
done
# the six at once, as a nightly step would start them
t0=$(date +%s%N)
for k in $kinds; do
	# shellcheck disable=SC2046
	tl-policy "$k" -q -o "$out/$k.json" $(args "$k" "$data") &
done
wait
t1=$(date +%s%N)
together=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')

sum=0
rss=0
rssq=0
printf '%-8s %8s %10s %10s\n' policy "wall s" "RSS MiB" "quarter" >&2
for k in $kinds; do
	t=$(median "$out/$k.times" 1)
	r=$(median "$out/$k.times" 2)
	q=$(median "$out/$k-quarter.times" 2)
	sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { printf "%.2f", a + b }')
	[ "$r" != - ] && [ "$r" -gt "$rss" ] && rss=$r
	[ "$q" != - ] && [ "$q" -gt "$rssq" ] && rssq=$q
	printf '%-8s %8s %10s %10s\n' "$k" "$t" \
	    "$(awk -v r="$r" 'BEGIN { printf "%.1f", r / 1024 }')" \
	    "$(awk -v r="$q" 'BEGIN { printf "%.1f", r / 1024 }')" >&2
done
echo "bench policy: six subcommands $sum s one after another, $together s" \
    "together (target < 10 s on 2 cores); peak RSS" \
    "$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }') MiB," \
    "$(awk -v r="$rssq" 'BEGIN { printf "%.1f", r / 1024 }') MiB on a" \
    "quarter of the rows"

t=$data/truth.json
g=$(jq --slurpfile t "$t" '[.groups | to_entries[] | select(((.value.threshold
    - $t[0].gate[.key]) | fabs) <= 0.05 + 1e-9)] | length' "$out/gate.json")
h=$(jq --slurpfile t "$t" '.settings.grid as $g | [.groups | to_entries[] |
    . as $e | select((($g | index($e.value.max_hold_s)) -
    ($g | index($t[0].hold[$e.key]))) | fabs <= 1)] | length' "$out/hold.json")
z=$(jq '[.groups.momentum.horizon == "15m", .groups.news.horizon == "1h"] |
    map(select(.)) | length' "$out/horizon.json")
f=$(jq --slurpfile t "$t" '[.groups | to_entries[] | select(.value.min_edge >=
    $t[0].fee[.key] + 0.0001)] | length' "$out/fee.json")
echo "bench policy: recovery gate $g/20 hold $h/20 horizon $z/2 fee $f/50"
