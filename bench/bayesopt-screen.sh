#!/bin/bash
# Does meta-model screening pick better genomes?  For each seed: tl-synth
# writes a log directory with a planted genome -> ROI relation
# (truth.json), tl-ingest turns it into runs and the meta-model dataset,
# tl-train-forest fits the genome-only model the nightly screens with
# (scripts/tl-nightly), and tl-bayesopt suggests N candidates from the
# runs twice: plain TPE, and screened by that model (--model).  Each
# candidate's true next-period ROI is the planted one, roi_mean in
# lib/tl_synth_strat.c and truth.json's formula without the period's
# regime term and noise (the same for every genome):
#   a*tanh((lookback - lookback_center)/lookback_scale)
#   + b*(entry_z - entry_z_center)*(universe == tech ? tech : other)
#   - c*(stop_atr - stop_atr_center)^2/stop_atr_scale
# Prints the mean and median true ROI of screened and unscreened
# candidates per seed and pooled.  About 2 s a seed.
#
# usage: bench/bayesopt-screen.sh bindir [seeds [strategies [count]]]
# prints: bench bayesopt-screen: screened mean X median Y vs unscreened ...
set -euo pipefail

prog="bench bayesopt-screen"

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/bayesopt-screen.sh bindir [seeds [strategies [count]]]" 4 "$@"
seeds=${2:-10} strategies=${3:-100} count=${4:-20}
bench_need tl-synth tl-ingest tl-train-forest tl-bayesopt
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
	echo "$prog: skipped: no python3"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tl-bench-screen.XXXXXX") || exit 73
trap 'rm -rf "$tmp"' EXIT
space=$PWD/etc/space.json

for s in $(seq 1 "$seeds"); do
	d=$tmp/$s
	"$bindir/tl-synth" -q -o "$d/synth" -s "$s" --strategies "$strategies"
	"$bindir/tl-ingest" -q -d "$d/night" "$d/synth/logs"
	"$bindir/tl-train-forest" train -q --target next_roi --trees 100 \
	    --min-leaf 5 --seed "$s" --features 'genome.*' \
	    -o "$d/genome.model" "$d/night/dataset.jsonl" >/dev/null
	a=(-q -S "$space" -H "$d/night/runs.jsonl" --params-field genome
	    --value-field metrics.roi --maximize -n "$count" -s "$s")
	"$bindir/tl-bayesopt" suggest "${a[@]}" -o "$d/plain.jsonl"
	"$bindir/tl-bayesopt" suggest "${a[@]}" -M "$d/genome.model" \
	    -o "$d/screened.jsonl"
done

exec "$py" - "$tmp" "$seeds" "$strategies" "$count" <<'EOF'
import json, math, os, statistics, sys

tmp, seeds, strategies, count = sys.argv[1], int(sys.argv[2]), \
    sys.argv[3], sys.argv[4]


def true_roi(c, g):
    u = c["tech"] if g["universe"] == "tech" else c["other"]
    return (c["a"] * math.tanh((g["lookback"] - c["lookback_center"]) /
                               c["lookback_scale"])
            + c["b"] * (g["entry_z"] - c["entry_z_center"]) * u
            - c["c"] * (g["stop_atr"] - c["stop_atr_center"]) ** 2 /
            c["stop_atr_scale"])


pool = {"screened": [], "plain": []}
wins = 0
print("%d seeds, %s strategies each, %s candidates per suggestion" %
      (seeds, strategies, count))
print("%-5s %12s %12s %12s %12s" % ("seed", "plain mean", "plain med",
                                    "screen mean", "screen med"))
for s in range(1, seeds + 1):
    d = os.path.join(tmp, str(s))
    with open(os.path.join(d, "synth", "truth.json")) as fp:
        coef = json.load(fp)["runs"]["coefficients"]
    got = {}
    for k in pool:
        name = "screened.jsonl" if k == "screened" else "plain.jsonl"
        with open(os.path.join(d, name)) as fp:
            got[k] = [true_roi(coef, json.loads(l)["params"]) for l in fp]
        pool[k] += got[k]
    wins += statistics.mean(got["screened"]) > statistics.mean(got["plain"])
    print("%-5d %12.5f %12.5f %12.5f %12.5f" % (
        s, statistics.mean(got["plain"]), statistics.median(got["plain"]),
        statistics.mean(got["screened"]),
        statistics.median(got["screened"])))
sm, sd = statistics.mean(pool["screened"]), statistics.median(pool["screened"])
pm, pd = statistics.mean(pool["plain"]), statistics.median(pool["plain"])
print("bench bayesopt-screen: true next-period ROI of screened candidates "
      "mean %.5f median %.5f vs unscreened mean %.5f median %.5f; "
      "screened ahead in %d/%d seeds: %s" % (
          sm, sd, pm, pd, wins, seeds,
          "ok" if sm > pm and sd > pd else "WORSE"))
EOF
