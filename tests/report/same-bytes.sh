#!/bin/bash
# The report's bytes before and after a change: build the tree of a base
# revision (exported with git archive into a temporary directory) and the
# working tree, then compare, file by file, what the two tl-report
# binaries write:
#   - the night of `make demo`, each tree running its own demo (the other
#     tools are the same, so only the report may differ);
#   - a run of consecutive nightly runs over a log with strategy churn
#     (late starters, a pause, a retirement, a rename), the reports of
#     each night and their --prev comparisons;
#   - every fixture night of testdata/tl-report, alone and against each
#     other as --prev, and the empty night.
# Prints one line per compared report with its size and whether the bytes
# are the same, then "same-bytes: N same, M differ".  Meant for a
# refactoring of tl-report, whose rule is: no output byte changes.
#
# usage: tests/report/same-bytes.sh [base]
#   base: a revision (default: the merge base of HEAD and main)
#   exit 0 every report the same, 1 some differ, 64 usage, 70 a build or
#   run failed
# environment: NIGHTS (churn nights to run, default 8), MAKEFLAGS
set -uo pipefail
export LC_ALL=C TZ=UTC

prog='same-bytes'
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 66
if [ $# -gt 1 ]; then
	echo "usage: tests/report/same-bytes.sh [base]" >&2
	exit 64
fi
base=${1:-$(git merge-base HEAD main)} || exit 64
nights=${NIGHTS:-8}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tl-same-bytes.XXXXXX") || exit 73
trap 'rm -rf "$tmp"' EXIT

# die MESSAGE: a step failed
die() {
	echo "$prog: $*" >&2
	exit 70
}

echo "$prog: base $(git rev-parse --short "$base") against the working tree" >&2
mkdir "$tmp/before" || exit 73
git archive "$base" | tar -x -C "$tmp/before" || die "git archive $base"
for t in "$tmp/before" "$top"; do
	make -C "$t" --no-print-directory all >"$tmp/build.log" 2>&1 ||
	    die "make in $t failed (see below)"$'\n'"$(tail -20 "$tmp/build.log")"
done
old=$tmp/before/build/bin
new=$top/build/bin

same=0 differ=0
# compare LABEL DIR1 DIR2: the three reports of two output directories
compare() {
	local f
	for f in report.md report.html report.json; do
		if cmp -s "$2/$f" "$3/$f"; then
			same=$((same + 1))
			printf '%-44s %8d bytes  same\n' "$1/$f" "$(wc -c <"$3/$f")"
		else
			differ=$((differ + 1))
			printf '%-44s %8s bytes  DIFFER\n' "$1/$f" \
			    "$(wc -c <"$3/$f" 2>/dev/null || echo -)"
			diff "$2/$f" "$3/$f" | head -10
		fi
	done
}

# the demo, each tree its own
for t in "$tmp/before" "$top"; do
	make -C "$t" --no-print-directory demo >"$tmp/demo.log" 2>&1 ||
	    die "make demo in $t failed"
done
compare demo "$tmp/before/demo-out/state/latest" "$top/demo-out/state/latest"

# consecutive nights over a log with churn, each tree its own state
"$new/tl-synth" -q -s 7 -o "$tmp/churn" --days 90 --churn ||
    die "tl-synth failed"
end=$(sed -n 's/.*"end": *"\([0-9-]*\)".*/\1/p' "$tmp/churn/truth.json")
dates=() d=$end
while [ ${#dates[@]} -lt "$nights" ]; do
	[ "$(date -u -d "$d" +%u)" -le 5 ] && dates=("$d" "${dates[@]}")
	d=$(date -u -d "$d - 1 day" +%F)
done
for side in before after; do
	bin=$old
	[ $side = after ] && bin=$new
	mkdir "$tmp/$side-churn" || exit 73
	for d in "${dates[@]}"; do
		printf 'LOG_DIR=%s\nSTATE_DIR=%s\nALIASES=%s\nMARKET=%s\nBIN_DIR=%s\n' \
		    "$tmp/churn/logs" "$tmp/$side-churn/state" \
		    "$tmp/churn/aliases.csv" "$tmp/churn/market.csv" "$bin" \
		    >"$tmp/$side-churn/c.conf"
		"$bin/tl-nightly" -q -c "$tmp/$side-churn/c.conf" -d "$d" ||
		    die "tl-nightly -d $d ($side) failed"
	done
done
for d in "${dates[@]}"; do
	compare "churn/$d" "$tmp/before-churn/state/nights/$d" \
	    "$tmp/after-churn/state/nights/$d"
done

# the fixture nights, alone and against each other; the empty night
fx=$top/testdata/tl-report
mkdir "$tmp/empty" || exit 73
runs=("full" "broken" "evil" "empty" "prev" "full --prev=$fx/prev"
    "broken --prev=$fx/full" "evil --prev=$fx/broken"
    "full --prev=$fx/evil" "full --prev=$tmp/empty -n 3 -S 0")
i=0
for r in "${runs[@]}"; do
	i=$((i + 1))
	# shellcheck disable=SC2086 # the run's words split on purpose
	set -- $r
	name=$1 night=$fx/$1
	[ "$1" = empty ] && night=$tmp/empty
	shift
	for side in before after; do
		bin=$old
		[ $side = after ] && bin=$new
		"$bin/tl-report" -q -o "$tmp/fx-$side" "$@" "$night" ||
		    die "tl-report $r ($side) failed"
	done
	compare "fixture/$i-$name" "$tmp/fx-before" "$tmp/fx-after"
	rm -rf "$tmp/fx-before" "$tmp/fx-after"
done

echo "$prog: $same same, $differ differ"
[ "$differ" -eq 0 ]
