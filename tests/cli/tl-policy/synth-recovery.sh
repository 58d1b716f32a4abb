#!/bin/bash
# usage: tests/cli/tl-policy/synth-recovery.sh DIR SEED [SIGNALS]
# tl-policy on a tl-synth --signals log against its truth.json (issue 22):
# tl-synth -s SEED --days 120 --strategies 4 --signals SIGNALS (40000)
# into DIR/SEED, ingested whole (DIR/SEED/all) and up to its 80th trading
# day (DIR/SEED/learn, tl-ingest --until: no look-ahead).
#
# Recovery, learned from all 120 days: the gate in force of each strategy
# within 0.05 of the planted one; the size multipliers of the conviction
# buckets in the order of the planted edges (not decreasing); the maximum
# hold within one step of the grid of the planted one; the best horizon of
# momentum 15m and of news 1h; the fee gate of each symbol at least its
# planted fee plus 1 bp (the mean slippage), so that the band of trades
# whose expected edge is below their costs is rejected.
#
# Out of sample: gate, size and hold learned on the first 80 days, applied
# to every signal of the last 40 (executed, or blocked with its
# counterfactual trade).  A signal's value is its net return over its
# notional, 0 below the gate, times the size multiplier of its conviction
# bucket, its hold cut at the learned maximum: the return then is the
# trade's less B (phi(T) - phi(min(T, H))), the part of the planted hold
# profile (tl-synth(1), Signals) given up or not yet lost, the noise kept.
# The logged policy is the engine's: its gate 0.5, size 1, hold as
# logged.  Both are EV per signal, the mean over all the test signals.
#
# The EV with gate and hold alone (every multiplier 1) is given too.
#
# Prints one line: seed S: gate G/4 size ordered|NOT hold H/4 horizon
# K/2 fee F/24 oos learned X (size 1: X1) logged Y better|WORSE
set -uo pipefail

dir=$1
seed=$2
n=${3:-40000}
d=$dir/$seed
rm -rf "$d"
mkdir -p "$d"
tl-synth -q -s "$seed" -d "$d/log" --days 120 --strategies 4 --signals "$n" \
    --trades 100 --dirt 0 --gzip-after 0 || exit
t=$d/log/truth.json
# the 80th trading day: the first 80 days' directories
cut=$(find "$d/log/logs" -maxdepth 1 -name '20*' -printf '%f\n' | sort |
    sed -n 80p)
tl-ingest -q -d "$d/all" "$d/log/logs" || exit
tl-ingest -q -u "$cut" -d "$d/learn" "$d/log/logs" || exit

learn() {	# learn SET: the five policies of DIR/SEED/SET
	local s=$d/$1
	tl-policy gate -q -o "$s/gate.json" "$s/trades.jsonl" \
	    "$s/counterfactuals.jsonl" &&
	tl-policy size -q -o "$s/size.json" "$s/trades.jsonl" &&
	tl-policy hold -q -o "$s/hold.json" "$s/trades.jsonl" &&
	tl-policy fee -q -o "$s/fee.json" "$s/trades.jsonl" &&
	tl-policy horizon -q -o "$s/horizon.json" "$s/signal-outcomes.jsonl"
}
learn all || exit
learn learn || exit

a=$d/all
g=$(jq -n --slurpfile t "$t" --slurpfile p "$a/gate.json" '$p[0] as $g |
    [$t[0].policy.gate | to_entries[] | select(((($g.groups[.key].threshold
    // $g.default.threshold) - .value) | fabs) <= 0.05 + 1e-9)] | length')
z=$(jq '.groups | to_entries | sort_by(.key) | map(.value.multiplier) |
    . as $m | [range(1; length) | select($m[.] < $m[. - 1])] | length' \
    "$a/size.json")
[ "$z" = 0 ] && z=ordered || z=NOT
h=$(jq -n --slurpfile t "$t" --slurpfile p "$a/hold.json" '$p[0] as $h |
    $h.settings.grid as $grid | [$t[0].policy.hold | to_entries[] | . as $e |
    ($h.groups[$e.key].max_hold_s // $h.default.max_hold_s) as $v |
    select((($grid | index($v)) - ($grid | index($e.value)) | fabs) <= 1)] |
    length')
k=$(jq '[.groups.momentum.horizon == "15m", .groups.news.horizon == "1h"] |
    map(select(.)) | length' "$a/horizon.json")
f=$(jq -n --slurpfile t "$t" --slurpfile p "$a/fee.json" '$p[0] as $f |
    [$t[0].policy.fee | to_entries[] | select(($f.groups[.key].min_edge //
    $f.default.min_edge) >= .value + 0.0001)] | length')

# the learned values, flat: kind, strategy or bucket, regime, value
l=$d/learn
{
	for p in gate:threshold hold:max_hold_s; do
		jq -r --arg k "${p%%:*}" --arg f "${p#*:}" '"\($k)\t*\t*\t\(
		    .default[$f])", (.groups | to_entries[] | .key as $s |
		    "\($k)\t\($s)\t*\t\(.value[$f])", (.value.regimes // {} |
		    to_entries[] | "\($k)\t\($s)\t\(.key)\t\(.value[$f])"))' \
		    "$l/${p%%:*}.json"
	done
	jq -r '.groups | to_entries[] | "size\t\(.key)\t*\t\(.value.multiplier)"' \
	    "$l/size.json"
	jq -r '.policy.hold | to_entries[] | "planted\t\(.key)\t*\t\(.value)"' "$t"
} >"$d/values.tsv"
# the test signals: after the cut, as trades or counterfactuals
jq -r --arg cut "$cut" 'select(.conviction != null and .entry_ts[0:10] >
    $cut) | [.strategy, (.regime // "-"), .conviction, .net_pnl /
    (.qty * .entry_price), .hold_s, (if .counterfactual then 0 else 1
    end)] | @tsv' "$a/trades.jsonl" "$a/counterfactuals.jsonl" \
    >"$d/test.tsv"
awk -F '\t' -v seed="$seed" -v g="$g" -v z="$z" -v h="$h" -v k="$k" \
    -v f="$f" '
function phi(t, hp) {	# the planted hold profile (tl-synth(1))
	if (t <= hp)
		return log(t / 120) / log(hp / 120)
	return 1 - 2 * log(t / hp) / log(hp / 120)
}
function val(kind, s, r) {	# the deepest level learned
	if ((kind SUBSEP s SUBSEP r) in v)
		return v[kind, s, r]
	if ((kind SUBSEP s SUBSEP "*") in v)
		return v[kind, s, "*"]
	return v[kind, "*", "*"]
}
function mult(c,  i) {	# the multiplier of the bucket "lo-hi" of c
	for (i = 1; i <= nb; i++)
		if (c >= blo[i] && (c < bhi[i] || bhi[i] == 1))
			return bm[i]
	return 1
}
FNR == NR {
	v[$1, $2, $3] = $4
	if ($1 == "size") {
		nb++
		split($2, e, "-")
		blo[nb] = e[1]
		bhi[nb] = e[2]
		bm[nb] = $4
	}
	next
}
{
	n++
	if ($6 == 1)
		logged += $4
	if ($3 < val("gate", $1, $2))
		next
	m = mult($3)
	H = val("hold", $1, $2)
	T = $5 < 120 ? 120 : $5
	P = v["planted", $1, "*"]
	r = $4 - 0.004 * (phi(T, P) - phi(T < H ? T : H, P))
	learned += m * r
	unsized += r
}
END {
	printf "seed %s: gate %s/4 size %s hold %s/4 horizon %s/2 fee %s/24 " \
	    "oos learned %.6f (size 1: %.6f) logged %.6f %s\n", seed, g, z,
	    h, k, f, learned / n, unsized / n, logged / n,
	    (learned > logged ? "better" : "WORSE")
}' "$d/values.tsv" "$d/test.tsv"
