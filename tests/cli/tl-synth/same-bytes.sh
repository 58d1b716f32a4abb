#!/bin/bash
# usage: tests/cli/tl-synth/same-bytes.sh OLD NEW [SEEDS]
# Do two tl-synth binaries write the same bytes?  Each runs with -v over
# the same option sets (below) for seeds 1..SEEDS (20), and the sha256 of
# every file of the two output directories, their stderr and exit status
# must agree.  For a change that must not move a byte (a refactoring):
# build the old binary, keep a copy, build the new one, run this.
# Prints one line per option set that differs and a summary:
# "same-bytes: R runs, F files, B bytes, D differ"; exits 1 if D > 0.
set -uo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 OLD NEW [SEEDS]" >&2
	exit 64
fi
old=$1
new=$2
nseed=${3:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/same-bytes.XXXXXX") || exit 73
trap 'rm -rf "$work"' EXIT

# One option set a line; each runs with -s 1..SEEDS appended.
per_seed=(
	""
	"--churn"
	"--dirt 0"
	"--gzip-after 0"
	"--days 60 --trades 4000 --strategies 16 --periods 8"
)
# Run once each, as they are.
once=(
	"--days 60 --trades 4000 --strategies 16 --periods 8 -s 42"
	"--days 120 --churn -s 1"
	"--churn=late=3,pause=2,retire=2,rename=2 --strategies 12 --days 40 --gzip-after 3 --dirt 0 -s 5"
	"--days 40 --trades 900 --gzip-after 5 --churn=late=2,rename=2 -s 11"
	"--days 60 --trades 8000 --strategies 120 --periods 8 -s 42"
	"--dirt 0.2 --days 10 --trades 200 -s 5"
	"--dirt 0.5 --days 30 --trades 3000 --gzip-after 0 -s 9"
	"--days 250 --dirt 0 -s 3"
	"--days 3 --trades 0 --strategies 1 --periods 1 -s 2"
	"--days 3 --trades 120000 --gzip-after 2 -s 4"
	"--start 2027-12-29 --days 7 --periods 30 -s 6"
)

runs=0 files=0 bytes=0 differ=0
# one ARGS...: run both binaries with ARGS and compare.
one() {
	local bin side
	for side in a b; do
		bin=$old
		[ $side = b ] && bin=$new
		rm -rf "${work:?}/$side"
		"$bin" -v -o "$work/$side" "$@" 2>"$work/$side.err"
		echo "status $?" >>"$work/$side.err"
		sed -i "s|$work/$side|DIR|g" "$work/$side.err"
		(cd "$work/$side" 2>/dev/null && find . -type f -print0 |
		    sort -z | xargs -0 -r sha256sum) >"$work/$side.sum"
	done
	runs=$((runs + 1))
	files=$((files + $(wc -l <"$work/a.sum")))
	bytes=$((bytes + $(find "$work/a" -type f -printf '%s\n' 2>/dev/null |
	    awk '{ s += $1 } END { print s + 0 }')))
	if ! cmp -s "$work/a.sum" "$work/b.sum" ||
	    ! cmp -s "$work/a.err" "$work/b.err"; then
		differ=$((differ + 1))
		echo "differ: $*"
	fi
}

for opts in "${per_seed[@]}"; do
	for ((s = 1; s <= nseed; s++)); do
		# shellcheck disable=SC2086 # word splitting of opts on purpose
		one $opts -s "$s"
	done
done
for opts in "${once[@]}"; do
	# shellcheck disable=SC2086
	one $opts
done
echo "same-bytes: $runs runs, $files files, $bytes bytes, $differ differ"
[ $differ -eq 0 ]
