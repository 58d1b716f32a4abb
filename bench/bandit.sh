#!/bin/bash
# Benchmark tl-bandit.
# 1. Regret: bench/bandit/sim.c (built here with cc against build/libtl.a,
#    the same Beta sampler tl-bandit uses) plays 10 Bernoulli arms (best
#    0.5, gaps 0.01 to 0.2), 10,000 rounds, 50 seeds: Thompson sampling,
#    UCB1 and epsilon-greedy in the same run, against the Lai-Robbins
#    C ln T; then the means reverse at round 5,000: discounted against
#    undiscounted Thompson sampling.
# 2. Learning: tl-synth trades (momentum and volume_spike predict wins):
#    the weights of the signals after one update.
# 3. Throughput of update on one core: 4,000,000 compact outcomes
#    ({"arm","reward","date"}), and 200,000 tl-ingest trades with signal
#    arms, a regime context and a discount.  Medians of 3 runs.
#
# usage: bench/bandit.sh bindir
# prints: bench bandit: ... lines; update throughput target >= 1,000,000/s
set -euo pipefail

prog="bench bandit"
runs=3
target=1000000
nout=4000000

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/bandit.sh bindir" 1 "$@"
bench_need tl-synth tl-ingest tl-bandit
lib="$bindir/../libtl.a"
if [ ! -f "$lib" ]; then
	echo "$prog: $lib is missing (run make first)" >&2
	exit 1
fi
if ! command -v jq >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends jq >&2
	else
		echo "$prog: skipped: jq is not installed (apt-get install -y jq)"
		exit 0
	fi
fi

out=bench/out
mkdir -p "$out"

# 1. the simulator
# shellcheck disable=SC2046 # pkg-config's words are separate flags
cc -std=c11 -O2 -Wall -Wextra -D_DEFAULT_SOURCE -Ilib \
    -o "$out/bandit-sim" bench/bandit/sim.c "$lib" \
    $(pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas) -lm
"$out/bandit-sim" 10000 50 | sed "s/^/$prog: /; s/^$prog: bench bandit/bench bandit/"

# 2. learning on tl-synth trades
rm -rf "$out/bandit-synth"
tl-synth -q -o "$out/bandit-synth" --days 120 --trades 20000 -s 3
tl-ingest -q -e trades "$out/bandit-synth/logs" >"$out/bandit-trades.jsonl"
tl-bandit update -q -a signals -c regime -o "$out/bandit-state.json" \
    "$out/bandit-trades.jsonl"
tl-bandit weights -S "$out/bandit-state.json" -I bull -s 1 >/dev/null
tl-bandit weights -S "$out/bandit-state.json" -s 1 |
    jq -r 'select(.context == null) | "\(.arm) \(.weight)"' |
    sort -k2,2gr >"$out/bandit-weights.txt"
echo "$prog: weights of the signals, 20,000 tl-synth trades (truth: momentum, volume_spike):"
sed "s/^/$prog:   /" "$out/bandit-weights.txt"
top2=$(head -n 2 "$out/bandit-weights.txt" | awk '{ print $1 }' | sort | tr '\n' ' ')
noise=$(awk '$1 ~ /^noise/ { if ($2 > m) m = $2 } END { printf "%.4f", m }' \
    "$out/bandit-weights.txt")
if [ "$top2" = "momentum volume_spike " ]; then
	verdict=yes
else
	verdict=no
fi
echo "bench bandit: planted signals on top: $verdict; largest noise weight $noise (floor 0.01)"

# 3. throughput
if [ ! -f "$out/bandit-outcomes.jsonl" ] ||
    [ "$(wc -l <"$out/bandit-outcomes.jsonl")" -ne "$nout" ]; then
	echo "$prog: writing $nout outcomes to $out/bandit-outcomes.jsonl" >&2
	awk -v n="$nout" 'BEGIN {
		srand(7)
		for (i = 0; i < n; i++) {
			a = int(rand() * 10)
			printf "{\"arm\":\"a%d\",\"reward\":%d,\"date\":\"2026-%02d-%02d\"}\n",
			    a, rand() < 0.4 + 0.02 * a, 1 + int(i * 12 / n),
			    1 + int(i * 336 / n) % 28
		}
	}' >"$out/bandit-outcomes.jsonl.tmp"
	mv "$out/bandit-outcomes.jsonl.tmp" "$out/bandit-outcomes.jsonl"
fi
if [ ! -f "$out/bandit-big.jsonl" ]; then
	echo "$prog: writing 200,000 trades with tl-synth and tl-ingest" >&2
	rm -rf "$out/bandit-big"
	tl-synth -q -o "$out/bandit-big" --days 250 --trades 200000 \
	    --gzip-after 0 -s 5
	tl-ingest -q -e trades "$out/bandit-big/logs" >"$out/bandit-big.jsonl.tmp"
	mv "$out/bandit-big.jsonl.tmp" "$out/bandit-big.jsonl"
	rm -rf "$out/bandit-big"
fi
ntr=$(wc -l <"$out/bandit-big.jsonl")

# one core: update is single-threaded; pin it when taskset exists
pin=()
if command -v taskset >/dev/null 2>&1; then
	pin=(taskset -c 0)
fi
: >"$out/bandit-o.times"
: >"$out/bandit-t.times"
for ((i = 1; i <= runs; i++)); do
	seconds "${pin[@]}" tl-bandit update -q -a arm -r reward -d 0.99 \
	    -o "$out/bandit-o.json" "$out/bandit-outcomes.jsonl" \
	    >>"$out/bandit-o.times"
	seconds "${pin[@]}" tl-bandit update -q -a signals -c regime -d 0.99 \
	    -o "$out/bandit-t.json" "$out/bandit-big.jsonl" \
	    >>"$out/bandit-t.times"
done
so=$(median <"$out/bandit-o.times")
st=$(median <"$out/bandit-t.times")
awk -v n="$nout" -v s="$so" -v nt="$ntr" -v t="$st" -v p="$prog" \
    -v target="$target" -v runs="$runs" 'BEGIN {
	printf "%s: update, %d compact outcomes (10 arms, discount 0.99): %.3f s = %.0f outcomes/s\n", p, n, s, n / s
	printf "%s: update, %d tl-ingest trades (6 signal arms, regime context, discount 0.99): %.3f s = %.0f trades/s\n", p, nt, t, nt / t
	printf "%s: medians of %d runs, one core\n", p, runs
	printf "%s: update throughput %.0f outcomes/s (target >= %d): %s\n", p, n / s, target, (n / s >= target) ? "ok" : "BELOW TARGET"
}'
