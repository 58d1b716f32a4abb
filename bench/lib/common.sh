# Shared by the bench/*.sh scripts (sourced, not run).  The caller sets
# prog (the prefix of its messages) and out (its data directory under
# bench/out/) first, or calls bench_setup, which sets out.
# shellcheck shell=bash disable=SC2154 # prog and out: set by the caller

# want PKG CMD: make sure CMD exists, installing the Debian package PKG
# when root.  Returns 1 when it is missing and cannot be installed.
want() {
	command -v "$2" >/dev/null 2>&1 && return 0
	[ -x "$2" ] && return 0
	[ "$(id -u)" -eq 0 ] || return 1
	echo "$prog: installing $1" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "$1" >&2 || return 1
}

# GNU time for peak memory, or nothing (wall time only).
gnutime=
if want time /usr/bin/time; then
	gnutime=/usr/bin/time
else
	echo "$prog: no /usr/bin/time (package time): wall time only" >&2
fi

# synth_scale DIR NTRADES [STRATEGIES PERIODS]: the issue-sized log
# directory (750 days, 2,000 strategies, 50 monthly periods = 100,000
# runs) with NTRADES trades in DIR, unless the same command already wrote
# it (DIR.cmd remembers).
synth_scale() {
	local dir=$1 n=$2 ns=${3:-2000} np=${4:-50}
	local cmd=(tl-synth -o "$dir" --days 750 --strategies "$ns" --periods "$np"
	    --trades "$n" --gzip-after 0 --dirt 0.001 -s 1)
	if [ -f "$dir.cmd" ] && [ "$(cat "$dir.cmd")" = "${cmd[*]}" ] &&
	    [ -d "$dir/logs" ]; then
		return 0
	fi
	echo "$prog: ${cmd[*]}" >&2
	rm -rf "$dir" "$dir.cmd"
	"${cmd[@]}"
	echo "${cmd[*]}" >"$dir.cmd"
}

# measure NAME CMD...: run CMD once with stdout to /dev/null; append its
# wall seconds and peak RSS in KiB (or "-") to $out/NAME.times.  Exits
# the bench when CMD fails.
measure() {
	local name=$1 t0 t1 rss=- st=0
	shift
	t0=$(date +%s%N)
	if [ -n "$gnutime" ]; then
		"$gnutime" -f %M -o "$out/$name.rss" "$@" >/dev/null \
		    2>"$out/$name.err" || st=$?
		rss=$(tail -n 1 "$out/$name.rss")
	else
		"$@" >/dev/null 2>"$out/$name.err" || st=$?
	fi
	t1=$(date +%s%N)
	if [ "$st" -ne 0 ]; then
		echo "$prog: '$*' failed with status $st:" >&2
		tail -n 5 "$out/$name.err" >&2
		exit 1
	fi
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $rss" \
	    >>"$out/$name.times"
}

# median FILE COLUMN: the median of a column of numbers.
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# bench_setup BINDIR TOOL...: the start of a bench script: the tools
# checked in BINDIR and it put first in PATH, the C locale and UTC, the
# top of the tree as the current directory and out=bench/out made.  Sets
# bindir; exits 66 or 1 when something is missing.
bench_setup() {
	local t
	if [ -z "$1" ] || ! bindir=$(cd "$1" 2>/dev/null && pwd); then
		echo "$prog: '$1': no such directory (run make first)" >&2
		exit 66
	fi
	shift
	cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 66
	export PATH="$bindir:$PATH" LC_ALL=C TZ=UTC
	for t in "$@"; do
		if [ ! -x "$bindir/$t" ]; then
			echo "$prog: $t is missing from $bindir (not built yet?)" >&2
			exit 1
		fi
	done
	out=bench/out
	mkdir -p "$out"
}
