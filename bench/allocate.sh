#!/bin/bash
# Benchmark tl-allocate's QP solver (lib/tl_qp) against R quadprog (the
# Goldfarb-Idnani dual method) and cvxopt (interior point), the solvers
# behind the usual R and Python allocators.  Seeded factor-model
# instances (bench/allocate/gen.py) at n = 50, 200, 500, 1000: long-only
# minimum variance, and mean-variance with lambda = 5 and 0 <= w <= 0.1.
# Each solver reads the same file; solve times exclude reading (ours:
# tl-allocate --solve-qp, timed inside).  Objectives must agree to 1e-8
# relative and our constraint violation be <= 1e-9.  Then the whole
# command, `tl-allocate -e ledoit-wolf` on a returns.csv of 750 days
# (reading, estimating, solving, writing), against cvxopt's solve alone
# of the same Ledoit-Wolf minimum-variance problem.
#
# With a size N: only the nightly's command (scripts/tl-nightly's flags:
# min-variance, ledoit-wolf, --max-weight 0.25, ...) on N strategies x
# 750 days, against quadprog and cvxopt on the same problem (the
# covariance as scikit-learn's Ledoit-Wolf, 0 <= w <= 0.25): each whole
# process's wall and CPU seconds (GNU time: the machine is shared) and
# peak RSS, medians of 3 runs, and the solve alone; the load average
# with each run.  Objectives must agree to 1e-8 relative (ours from the
# summary's volatility: 1/2 sigma^2).
#
# usage: bench/allocate.sh bindir [N]
# prints: a table, then "bench allocate: ..." result lines
set -euo pipefail

prog="bench allocate"
runs=${TL_BENCH_RUNS:-5}

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/allocate.sh bindir [N]" 2 "$@"
bench_need tl-allocate
py=/usr/bin/python3

miss() {
	echo "$prog: skipped: $1 is not installed (apt-get install -y $1)"
	exit 0
}
want r-cran-quadprog Rscript -e 'library(quadprog)' || miss r-cran-quadprog
want python3-cvxopt $py -c 'import cvxopt' || miss python3-cvxopt
want python3-sklearn $py -c 'import sklearn' || miss python3-sklearn

out=bench/out/allocate
mkdir -p "$out"


# field NAME: the value of "NAME" in the JSON line on stdin
field() {
	awk -v k="\"$1\":" '{ i = index($0, k); s = substr($0, i + length(k));
	    sub(/[,}].*/, "", s); print s }'
}

# ours FILE: "objective violation median-seconds"
ours() {
	local i line obj viol t
	line=$(tl-allocate --solve-qp "$1")
	obj=$(field objective <<<"$line")
	viol=$(field violation <<<"$line")
	t=$(for ((i = 0; i < runs; i++)); do
		tl-allocate --solve-qp "$1" | field seconds
	done | median)
	echo "$obj $viol $t"
}

# reldiff A B: |A - B| / |B|
reldiff() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d;
	    printf "%.1e", d }'
}

# size N: the nightly's command at N strategies against quadprog and
# cvxopt on the same problem (see the top); exits.
size() {
	local n=$1 csv qf asof i t name oo qo co dq dc
	csv=$out/returns-$n.csv
	qf=$out/qp-night-$n.txt
	if [ ! -f "$csv" ] || [ ! -f "$qf" ]; then
		echo "$prog: making $n strategies x 750 days" >&2
		$py bench/allocate/returns.py "$n" 750 1 "$csv" "$qf" 0.25
	fi
	asof=$(tail -n 1 "$csv" | cut -d, -f1)
	: >"$out/alerts-none.jsonl"
	echo strategy,ts >"$out/retired-none.csv"
	bench_gnutime
	rm -f "$out"/size-*-"$n".times "$out/size-load-$n.txt"
	for ((i = 0; i < 3; i++)); do
		cut -d' ' -f1 /proc/loadavg >>"$out/size-load-$n.txt"
		measure "size-ours-$n" tl-allocate -q --method min-variance \
		    --estimator ledoit-wolf --max-weight 0.25 --fallback \
		    min-variance --unfilled cash --asof "$asof" --live-days 10 \
		    --min-days 20 --retired "$out/retired-none.csv" --alerts \
		    "$out/alerts-none.jsonl" --demoted-max-weight 0 \
		    -S "$out/size-summary-$n.json" -o "$out/size-alloc-$n.jsonl" \
		    "$csv"
		measure_out=$out/size-solve-$n.out measure "size-solve-$n" \
		    tl-allocate --solve-qp "$qf"
		field seconds <"$out/size-solve-$n.out" >>"$out/size-solve-$n.s"
		measure_out=$out/size-quadprog-$n.out measure \
		    "size-quadprog-$n" Rscript bench/allocate/quadprog.R "$qf" 1
		measure_out=$out/size-cvxopt-$n.out measure "size-cvxopt-$n" \
		    $py bench/allocate/cvxopt_qp.py "$qf" 1
	done
	printf '%-24s %9s %9s %9s %10s\n' "n=$n, 750 days" wall_s cpu_s \
	    rss_MiB solve_s
	for name in ours quadprog cvxopt; do
		t=$out/size-$name-$n.times
		case $name in
		ours) i=$(median "$out/size-solve-$n.s") ;;
		*) i=$(awk '{ print $3 }' "$out/size-$name-$n.out") ;;
		esac
		printf '%-24s %9.2f %9.2f %9.1f %10.3f\n' \
		    "$([ $name = ours ] && echo tl-allocate || echo $name)" \
		    "$(median "$t" 1)" "$(median "$t" 3)" \
		    "$(awk -v k="$(median "$t" 2)" 'BEGIN { print k / 1024 }')" \
		    "$i"
	done
	oo=$(field volatility <"$out/size-summary-$n.json" |
	    awk '{ printf "%.17g", $1 * $1 / 2 }')
	read -r qo _ <"$out/size-quadprog-$n.out"
	read -r co _ <"$out/size-cvxopt-$n.out"
	dq=$(reldiff "$oo" "$qo")
	dc=$(reldiff "$oo" "$co")
	echo "(solve_s: the QP alone, ours on the same file by --solve-qp;" \
	    "quadprog's last run, cvxopt's last run; load average" \
	    "$(tr '\n' ' ' <"$out/size-load-$n.txt"))"
	echo "bench allocate: n=$n nightly command CPU" \
	    "$(median "$out/size-ours-$n.times" 3) s, peak" \
	    "$(awk -v k="$(median "$out/size-ours-$n.times" 2)" \
	    'BEGIN { printf "%.0f", k / 1024 }') MiB; quadprog" \
	    "$(median "$out/size-quadprog-$n.times" 3) s, cvxopt" \
	    "$(median "$out/size-cvxopt-$n.times" 3) s (CPU, medians of 3);" \
	    "objective within $dq / $dc"
	awk -v a="$dq" -v b="$dc" 'BEGIN { exit !(a <= 1e-8 && b <= 1e-8) }' ||
	    { echo "$prog: n=$n: objective off" >&2; exit 1; }
	exit 0
}
if [ $# -eq 2 ]; then
	case $2 in
	'' | *[!0-9]* | 0*)
		echo "$prog: N: '$2' is not a number of strategies" >&2
		exit 64
		;;
	esac
	size "$2"
fi

fail=0
printf '%-7s %5s %11s %11s %11s %8s %8s %9s %9s %8s\n' kind n ours_ms \
    quadprog_ms cvxopt_ms qp/ours cvx/ours dobj_qp dobj_cvx viol
for kind in minvar mv; do
	for n in 50 200 500 1000; do
		f=$out/qp-$kind-$n.txt
		[ -f "$f" ] || $py bench/allocate/gen.py "$kind" "$n" 1 "$f"
		read -r oo ov ot < <(ours "$f")
		qruns=$runs
		[ "$n" -ge 1000 ] && qruns=3
		read -r qo _ qt < <(Rscript bench/allocate/quadprog.R "$f" \
		    "$qruns")
		read -r co _ ct < <($py bench/allocate/cvxopt_qp.py "$f" \
		    "$qruns")
		dq=$(reldiff "$oo" "$qo")
		dc=$(reldiff "$oo" "$co")
		rq=$(awk -v a="$qt" -v b="$ot" 'BEGIN { printf "%.1f", a / b }')
		rc=$(awk -v a="$ct" -v b="$ot" 'BEGIN { printf "%.1f", a / b }')
		printf '%-7s %5d %11.3f %11.3f %11.3f %8s %8s %9s %9s %8.1e\n' \
		    "$kind" "$n" "$(awk -v t="$ot" 'BEGIN { print t * 1000 }')" \
		    "$(awk -v t="$qt" 'BEGIN { print t * 1000 }')" \
		    "$(awk -v t="$ct" 'BEGIN { print t * 1000 }')" "$rq" "$rc" \
		    "$dq" "$dc" "$ov"
		if ! awk -v a="$dq" -v b="$dc" -v v="$ov" 'BEGIN {
		    exit !(a <= 1e-8 && b <= 1e-8 && v <= 1e-9) }'; then
			echo "$prog: $kind n=$n: objective or violation off" >&2
			fail=1
		fi
		if [ "$n" -ge 200 ] && ! awk -v r="$rq" 'BEGIN { exit !(r >= 2) }'
		then
			echo "$prog: $kind n=$n: less than 2x quadprog" >&2
			fail=1
		fi
		echo "bench allocate: $kind n=$n speedup vs quadprog ${rq}x," \
		    "vs cvxopt ${rc}x; objective within $dq / $dc"
	done
done

# the whole command against cvxopt's solve alone
printf '\n%5s %6s %14s %12s %8s\n' n days tl-allocate_ms cvxopt_ms ratio
for n in 200 500 1000; do
	csv=$out/returns-$n.csv
	qf=$out/qp-lw-$n.txt
	if [ ! -f "$csv" ] || [ ! -f "$qf" ]; then
		$py bench/allocate/returns.py "$n" 750 1 "$csv" "$qf"
	fi
	tt=$(for ((i = 0; i < runs; i++)); do
		s=$(date +%s.%N)
		tl-allocate -q -e ledoit-wolf -o "$out/alloc-$n.jsonl" "$csv"
		e=$(date +%s.%N)
		awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'
	done | median)
	read -r co _ ct < <($py bench/allocate/cvxopt_qp.py "$qf" 3)
	ratio=$(awk -v a="$ct" -v b="$tt" 'BEGIN { printf "%.1f", a / b }')
	printf '%5d %6d %14.1f %12.1f %8s\n' "$n" 750 \
	    "$(awk -v t="$tt" 'BEGIN { print t * 1000 }')" \
	    "$(awk -v t="$ct" 'BEGIN { print t * 1000 }')" "$ratio"
	echo "bench allocate: whole command n=$n (750 days): cvxopt's solve" \
	    "alone / our command = $ratio (target > 1)"
done

# learning: walk forward on tl-synth returns with planted good and
# decaying strategies; out-of-sample Sharpe against equal weight
for seed in 1 2; do
	syn=$out/synth-$seed
	if [ ! -f "$syn/night/returns.csv" ]; then
		rm -rf "$syn"
		tl-synth -q -o "$syn" --days 500 --strategies 40 \
		    --trades 20000 -s "$seed"
		tl-ingest -q -d "$syn/night" "$syn/logs"
	fi
	echo
	echo "walk forward, tl-synth -s $seed (fit 120 days, hold 21):"
	printf '%-14s %7s %9s %8s %5s\n' method sharpe ann_ret ann_vol days
	$py bench/allocate/walkforward.py "$bindir" "$syn/night/returns.csv" |
	    tee "$out/wf-$seed.txt" |
	    awk '{ printf "%-14s %7s %9s %8s %5s\n", $1, $2, $3, $4, $5 }'
	awk -v s="$seed" '$1 == "equal" { ew = $2 } $1 != "equal" {
	    printf "bench allocate: walk-forward seed %s %s out-of-sample " \
	    "Sharpe %s vs equal weight %s\n", s, $1, $2, ew }' \
	    "$out/wf-$seed.txt"
done
exit "$fail"
