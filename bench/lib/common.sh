# Shared by the bench/*.sh scripts (sourced, not run), first thing after
# setting prog (the prefix of their messages):
#     . "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#     bench_start "bench/x.sh bindir" 1 "$@"
#     bench_need tl-x
# measure writes under out (the caller's data directory under bench/out/).
# shellcheck shell=bash disable=SC2154 # prog and out: set by the caller

# bench_start USAGE MAXARGS ARG...: 1 to MAXARGS arguments, or the usage
# line and exit 64; bindir = the first, made absolute (exit 66 if it is
# no directory); then the top of the tree is the working directory, and
# bindir comes first in PATH, with LC_ALL=C and TZ=UTC.
bench_start() {
	local usage=$1 max=$2
	shift 2
	if [ $# -lt 1 ] || [ $# -gt "$max" ]; then
		echo "usage: $usage" >&2
		exit 64
	fi
	if ! bindir=$(cd "$1" 2>/dev/null && pwd); then
		echo "$prog: $1: no such directory (run make first)" >&2
		exit 66
	fi
	cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
	export PATH="$bindir:$PATH" LC_ALL=C TZ=UTC
}

# bench_need TOOL...: each one built in bindir, or exit 1.
bench_need() {
	local t
	for t in "$@"; do
		if [ ! -x "$bindir/$t" ]; then
			echo "$prog: $t is missing from $bindir (not built yet?)" >&2
			exit 1
		fi
	done
}

# have CMD [ARG...]: CMD alone is a program (on PATH, or a path that is
# executable); with arguments, a command that must succeed (quietly).
have() {
	if [ $# -eq 1 ]; then
		command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]
	else
		"$@" >/dev/null 2>&1
	fi
}

# want PKG CMD [ARG...]: make sure `have CMD [ARG...]` holds, installing
# the Debian package PKG when root.  Returns 1 when it does not and
# cannot.
want() {
	local pkg=$1
	shift
	have "$@" && return 0
	[ "$(id -u)" -eq 0 ] || return 1
	echo "$prog: installing $pkg" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "$pkg" >&2 || return 1
	have "$@"
}

# bench_gnutime: gnutime = GNU time, for peak memory, or empty (wall time
# only, said on stderr).
bench_gnutime() {
	gnutime=
	if want time /usr/bin/time; then
		gnutime=/usr/bin/time
	else
		echo "$prog: no /usr/bin/time (package time): wall time only" >&2
	fi
}

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

# measure NAME CMD...: run CMD once with stdout to $measure_out (default
# /dev/null); append its wall seconds, peak RSS in KiB and CPU seconds
# (user + system; "-" for both without GNU time) to $out/NAME.times.
# Exits the bench when CMD fails.
measure() {
	local name=$1 t0 t1 rss=- cpu=- st=0
	shift
	t0=$(date +%s%N)
	if [ -n "$gnutime" ]; then
		"$gnutime" -f '%M %U %S' -o "$out/$name.rss" "$@" \
		    >"${measure_out:-/dev/null}" 2>"$out/$name.err" || st=$?
		read -r rss cpu < <(tail -n 1 "$out/$name.rss" |
		    awk '{ print $1, $2 + $3 }')
	else
		"$@" >"${measure_out:-/dev/null}" 2>"$out/$name.err" || st=$?
	fi
	t1=$(date +%s%N)
	if [ "$st" -ne 0 ]; then
		echo "$prog: '$*' failed with status $st:" >&2
		tail -n 5 "$out/$name.err" >&2
		exit 1
	fi
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $rss $cpu" \
	    >>"$out/$name.times"
}

# seconds CMD...: run CMD with stdout to /dev/null and print its wall
# seconds.
seconds() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}

# median [FILE COLUMN]: the median of a column of FILE's numbers, or of
# the numbers on stdin (the mean of the middle two of an even count).
# shellcheck disable=SC2120 # no arguments: stdin
median() {
	if [ $# -eq 2 ]; then
		awk -v c="$2" '{ print $c }' "$1"
	else
		cat
	fi | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]
	    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
