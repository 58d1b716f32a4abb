#!/bin/bash
# Run every benchmark bench/*.sh (except this file) with BINDIR and print
# their result lines ("bench ...") again at the end.  Not part of make
# check: benchmarks take minutes and write large files under bench/out/.
#
# usage: bench/run.sh bindir
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/run.sh bindir" >&2
	exit 64
fi
bindir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$(basename "${BASH_SOURCE[0]}")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tl-bench.XXXXXX") || exit 73
trap 'rm -rf "$tmp"' EXIT

status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = "$self" ] && continue
	echo "=== ${b#"$here"/}"
	if ! bash "$b" "$bindir" | tee -a "$tmp/out"; then
		echo "bench: ${b##*/} failed" >&2
		status=1
	fi
done

echo
echo "=== results"
grep '^bench ' "$tmp/out"
exit "$status"
