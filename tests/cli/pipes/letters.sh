#!/bin/bash
# letters.sh: one meaning per short option across the toolchain.  Reads
# the "  -x, --long" lines of every tl-* tool's --help (the tools next to
# tl-ingest in PATH) and the interface tables of man/tl.7
# (".It Fl x Ta Fl -long"), and fails when a letter stands for two long
# options, or for one the tables do not give it.  Tools named in the
# file given as $1 (one a line; its branch brings their contract) are
# not read.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
bindir=$(dirname "$(command -v tl-ingest)") || exit 66
pending=${1:-/dev/null}
seen=$(mktemp) || exit 73
trap 'rm -f "$seen"' EXIT

# the letters of tl(7): "x long"
table=$(sed -n 's/^\.It Fl \([A-Za-z]\) Ta Fl -\([a-z-]*\).*/\1 \2/p' \
    "$top/man/tl.7" | sort -u)
[ -n "$table" ] || { echo "letters: no table in man/tl.7" >&2; exit 65; }

bad=0
for t in "$bindir"/tl-*; do
	name=${t##*/}
	grep -qx "$name" "$pending" && continue
	"$t" --help | sed -n 's/^  -\([A-Za-z]\), --\([a-z][a-z-]*\).*/\1 \2/p' |
	while read -r l long; do
		printf '%s %s %s\n' "$l" "$long" "$name"
	done
done | sort -u >"$seen"

# a letter with two long names
while read -r l n; do
	[ "$n" -gt 1 ] || continue
	echo "-$l has $n meanings: $(awk -v l="$l" '$1 == l { printf "%s%s --%s", s, $3, $2; s = ", " }' "$seen")"
	bad=1
done < <(awk '{ print $1, $2 }' "$seen" | sort -u | awk '{ n[$1]++ } END { for (l in n) print l, n[l] }' | sort)

# a pair the tables do not have
while read -r l long tool; do
	if ! grep -qx "$l $long" <<<"$table"; then
		echo "$tool: -$l, --$long is not in tl(7)'s interface tables"
		bad=1
	fi
done <"$seen"

[ "$bad" = 0 ] && echo "one meaning per letter, as tl(7) gives it"
exit "$bad"
