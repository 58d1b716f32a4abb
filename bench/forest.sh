#!/bin/bash
# Benchmark tl-train-forest against scikit-learn's RandomForestRegressor
# and R's ranger, the tools people would use instead (issue 3).
# Friedman #1 (20 features, noise 1; bench/forest/friedman.py, numpy,
# cached under bench/out/): 100,000 training rows, 20,000 test rows; 100
# trees, mtry 6, min leaf 5 (ranger 0.14: min.node.size 10, see
# bench/forest/ranger.R), 2 threads, all three on the same CSV files in
# the same run.  Ours: the wall time of the whole `train` command (reading
# the CSV included, OOB figures, no permutation importance, as the
# references compute none) and of `predict` (model load, CSV parse, JSONL
# out); theirs: fit() and predict() alone, timed inside.  Peak RSS of each
# process by /usr/bin/time -v.  Medians of RUNS runs (default 3).
# Then 1,000,000 training rows: ours, and the references under a time
# limit (BIG_LIMIT seconds, default 900).
#
# usage: bench/forest.sh bindir
# prints: bench forest: fit ratio X.XX (target >= 3.00) ...
set -euo pipefail

prog="bench forest"
runs=${RUNS:-3}
big_limit=${BIG_LIMIT:-900}
target=3.00

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/forest.sh bindir" 1 "$@"
bench_need tl-train-forest

py=/usr/bin/python3
if ! want python3-numpy "$py" -c 'import numpy'; then
	echo "$prog: skipped: numpy is missing (apt-get install -y python3-numpy)"
	exit 0
fi
if ! want time test -x /usr/bin/time; then
	echo "$prog: skipped: /usr/bin/time is missing (apt-get install -y time)"
	exit 0
fi
have_sk=1
want python3-sklearn "$py" -c 'import sklearn' || {
	have_sk=0
	echo "$prog: no scikit-learn (apt-get install -y python3-sklearn)" >&2
}
have_rg=1
want r-cran-ranger Rscript -e 'suppressMessages(library(ranger))' || {
	have_rg=0
	echo "$prog: no ranger (apt-get install -y r-cran-ranger)" >&2
}

out=bench/out
mkdir -p "$out"
data() {	# data ROWS SEED FILE: generate FILE once
	[ -s "$3" ] || "$py" bench/forest/friedman.py "$1" 20 1 "$2" "$3"
}
data 100000 1 "$out/f1-train.csv"
data 20000 2 "$out/f1-test.csv"

# rss FILE: peak RSS in MB from /usr/bin/time -v output
rss() {
	awk '/Maximum resident/ { printf "%.0f\n", $NF / 1024 }' "$1"
}
# r2 PRED.jsonl: test R^2 of our predictions
r2() {
	"$py" -c '
import json, sys
y, p = [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    y.append(r["y"]); p.append(r["prediction"])
m = sum(y) / len(y)
print(1 - sum((a - b) ** 2 for a, b in zip(y, p)) / sum((a - m) ** 2 for a in y))
' "$1"
}
now() { date +%s.%N; }

# ours TRAIN TAG: one run; appends "fit predict rss r2 oob" to $out/TAG
ours() {
	local t0 t1 t2 fit pred
	t0=$(now)
	/usr/bin/time -v -o "$out/time.ours" tl-train-forest train -q \
	    -t y --trees 100 --mtry 6 --min-leaf 5 --threads 2 \
	    --no-permutation -s 1 -o "$out/f1.model" \
	    --summary "$out/f1.summary" "$1"
	t1=$(now)
	tl-train-forest predict -q -m "$out/f1.model" -o "$out/f1-pred.jsonl" \
	    "$out/f1-test.csv"
	t2=$(now)
	fit=$(echo "$t1 - $t0" | bc -l)
	pred=$(echo "$t2 - $t1" | bc -l)
	echo "$fit $pred $(rss "$out/time.ours") $(r2 "$out/f1-pred.jsonl")" \
	    "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["oob"]["r2"])' "$out/f1.summary")" \
	    >>"$out/$2"
}
# ref TOOL TRAIN TAG [LIMIT]: one run of sklearn or ranger
ref() {
	local js
	if [ "$1" = sklearn ]; then
		set -- "$@" "$py" bench/forest/sk.py
	else
		set -- "$@" Rscript bench/forest/ranger.R
	fi
	local tool=$1 train=$2 tag=$3 limit=$4
	shift 4
	if ! js=$(timeout "$limit" /usr/bin/time -v -o "$out/time.$tool" \
	    "$@" "$train" "$out/f1-test.csv" 100 6 5 2 2>/dev/null); then
		echo "$prog: $tool on $train: failed or over ${limit}s" >&2
		return 0
	fi
	echo "$js" | tail -n 1 | "$py" -c '
import json, sys
d = json.loads(sys.stdin.read())
print(d["fit"], d["predict"], sys.argv[1], d["test_r2"], d.get("oob_r2", "nan"))
' "$(rss "$out/time.$tool")" >>"$out/$tag" ||
	    echo "$prog: $tool printed no result: $js" >&2
}
# col TAG N: median of column N of $out/TAG
col() {
	[ -s "$out/$1" ] || { echo nan; return; }
	awk -v c="$2" '{ print $c }' "$out/$1" | median
}
report() {	# report TAG NAME
	printf '%-8s fit %8.2f s  predict %6.3f s  peak RSS %5.0f MB  test R2 %.4f  OOB R2 %s\n' \
	    "$2" "$(col "$1" 1)" "$(col "$1" 2)" "$(col "$1" 3)" "$(col "$1" 4)" \
	    "$(col "$1" 5)"
}

rm -f "$out/ours.100k" "$out/sklearn.100k" "$out/ranger.100k" \
    "$out/ours.1m" "$out/sklearn.1m" "$out/ranger.1m"
echo "$prog: Friedman #1, 100000 x 20, 100 trees, mtry 6, min leaf 5, 2 threads, $runs runs" >&2
for ((i = 0; i < runs; i++)); do
	ours "$out/f1-train.csv" ours.100k
	[ "$have_sk" -eq 1 ] && ref sklearn "$out/f1-train.csv" sklearn.100k 3600
	[ "$have_rg" -eq 1 ] && ref ranger "$out/f1-train.csv" ranger.100k 3600
done
echo "100,000 training rows (medians of $runs):"
report ours.100k "ours"
report sklearn.100k "sklearn"
report ranger.100k "ranger"

data 1000000 3 "$out/f1-train-1m.csv"
ours "$out/f1-train-1m.csv" ours.1m
[ "$have_sk" -eq 1 ] && ref sklearn "$out/f1-train-1m.csv" sklearn.1m "$big_limit"
[ "$have_rg" -eq 1 ] && ref ranger "$out/f1-train-1m.csv" ranger.1m "$big_limit"
echo "1,000,000 training rows (one run; references limited to ${big_limit}s):"
report ours.1m "ours"
report sklearn.1m "sklearn"
report ranger.1m "ranger"

# ratios against the faster (smaller) of the references
ratio() {	# ratio SIZE COLUMN: best reference / ours
	local best
	best=$( { col "sklearn.$1" "$2"; col "ranger.$1" "$2"; } |
	    grep -v nan | sort -g | head -n 1)
	[ -n "$best" ] || { echo nan; return; }
	echo "$best / $(col "ours.$1" "$2")" | bc -l
}
printf 'bench forest: fit ratio %.2f (target >= %s), predict ratio %.2f (target > 1), memory ratio %.2f (target > 1), test R2 ours %.4f\n' \
    "$(ratio 100k 1)" "$target" "$(ratio 100k 2)" "$(ratio 100k 3)" \
    "$(col ours.100k 4)"
printf 'bench forest 1m: fit ratio %s, memory ratio %s\n' \
    "$(ratio 1m 1)" "$(ratio 1m 3)"
