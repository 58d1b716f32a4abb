#!/bin/bash
# example.sh PAGE [FIRST [LAST]]: run the EXAMPLES of man/PAGE (tl-x.1 or
# tl.7) as printed, in the current directory: every literal block (.Bd
# -literal ... .Ed) from the FIRST to the LAST (1-based; all by default),
# in order, each with bash, its mdoc escapes (\e, \&, \-) undone.  PAGE
# README.md runs the README's ```sh blocks instead.  Each
# block's output follows a line "== example N"; a block that fails says
# so ("== example N: status S") and the next one runs.  The current
# directory's path is shown as "." in the output, and the tools'
# directory as "BIN", so that it compares.
# The examples make what they need (the first block of a page makes its
# logs or its night), so a fresh directory is all they need.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
page=$top/man/$1
[ "$1" = README.md ] && page=$top/README.md
first=${2:-1} last=${3:-999}
[ -f "$page" ] || { echo "example: $page: no such page" >&2; exit 66; }

# the blocks of EXAMPLES (of the README: its ```sh blocks), separated by a
# NUL
blocks() {
	if [ "$page" = "$top/README.md" ]; then
		awk '/^```sh$/ { in_sh = 1; next }
		    /^```$/ && in_sh { in_sh = 0; printf "%c", 0; next }
		    in_sh' "$page"
		return
	fi
	awk '/^\.Sh EXAMPLES/ { ex = 1; next }
	    /^\.Sh / { ex = 0 }
	    ex && /^\.Bd -literal/ { in_bd = 1; next }
	    ex && /^\.Ed/ && in_bd { in_bd = 0; printf "%c", 0; next }
	    ex && in_bd {
		gsub(/\\e/, "\\"); gsub(/\\&/, ""); gsub(/\\-/, "-")
		print
	    }' "$page"
}

n=0 here=$PWD bin=$(dirname "$(command -v tl-ingest)")
out=$(mktemp) err=$(mktemp) || exit 73
trap 'rm -f "$out" "$err"' EXIT
while IFS= read -r -d '' block; do
	n=$((n + 1))
	if [ "$n" -lt "$first" ] || [ "$n" -gt "$last" ]; then
		continue
	fi
	echo "== example $n"
	bash -c "$block" >"$out" 2>"$err"
	st=$?
	sed "s|$bin|BIN|g; s|$here|.|g" "$out"
	sed "s|$bin|BIN|g; s|$here|.|g" "$err" >&2
	[ "$st" = 0 ] || echo "== example $n: status $st"
done < <(blocks)
[ "$n" -gt 0 ] || { echo "example: $1: no EXAMPLES" >&2; exit 65; }
exit 0
