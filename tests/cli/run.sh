#!/bin/bash
# CLI golden tests.  Every directory tests/cli/<tool>/<NNN-name>/ that holds
# a `cmd` file is one case: cmd runs under `bash -c` from the top of the
# tree with BINDIR first in PATH, LC_ALL=C, TZ=UTC, CASE=<case dir>,
# WORK=<fresh temp dir>, TL_TESTDATA=<top>/testdata and stdin from the
# case's `stdin` file (else /dev/null), for at most 60 s.  Its stdout,
# stderr and exit status must equal `expout`, `experr` and `status` (a
# missing file means empty output, status 0).  A sanitizer report on
# stderr fails the case whatever experr says.  A case that needs longer
# than the default says how many seconds in a `timeout` file.  A case
# that can only run as root (another user's files) says `root` in a
# `needs` file; run by another user it is skipped, and counted so.  With
# TL_UPDATE=1 the actual results are written back as the expectations
# instead.  The last
# line is "cli: N passed, M failed"; the exit status is 1 if M > 0.
# WORK's name differs on each run: a case whose messages name files in it
# should cd "$WORK" and use relative names (and $TL_TESTDATA for inputs).
#
# usage: tests/cli/run.sh bindir [case-glob ...]
#   a glob matches "tool/NNN-name" or "tool", e.g. 'tl-ingest/01*'
# environment: TL_UPDATE=1 (rewrite expectations), TL_VERBOSE=1 (list
# passing cases too), TL_TIMEOUT=seconds (default 60)
set -uo pipefail
export LC_ALL=C

prog=cli
timeout_s=${TL_TIMEOUT:-60}
maxdiff=40

if [ $# -lt 1 ]; then
	echo "usage: tests/cli/run.sh bindir [case-glob ...]" >&2
	exit 64
fi
if ! bindir=$(cd "$1" 2>/dev/null && pwd); then
	echo "$prog: $1: no such directory (run make first)" >&2
	exit 66
fi
shift
globs=("$@")

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 66

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tl-cli.XXXXXX") || exit 73
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# selected NAME: does case NAME (tool/NNN-name) match one of the globs?
selected() {
	local g
	[ ${#globs[@]} -eq 0 ] && return 0
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2053 # $g is a glob on purpose
		if [[ $1 == $g || ${1%%/*} == $g || $1 == tests/cli/$g ]]; then
			return 0
		fi
	done
	return 1
}

# expect FILE: print the path to compare against (/dev/null if absent).
expect() {
	if [ -f "$1" ]; then
		printf '%s\n' "$1"
	else
		printf '%s\n' /dev/null
	fi
}

# store ACTUAL FILE: make FILE hold ACTUAL, or remove FILE if ACTUAL is
# empty.
store() {
	if [ -s "$1" ]; then
		cp "$1" "$2"
	else
		rm -f "$2"
	fi
}

pass=0
fail=0
skipped=0
updated=0
declare -A tpass tfail
tools=()

for cmdfile in tests/cli/*/[0-9][0-9][0-9]-*/cmd; do
	[ -f "$cmdfile" ] || continue
	case=${cmdfile%/cmd}			# tests/cli/tl-ingest/001-basic
	name=${case#tests/cli/}			# tl-ingest/001-basic
	tool=${name%%/*}
	selected "$name" || continue
	if [ -z "${tpass[$tool]+x}" ]; then
		tools+=("$tool")
		tpass[$tool]=0
		tfail[$tool]=0
	fi

	if grep -qx root "$case/needs" 2>/dev/null && [ "$(id -u)" -ne 0 ]; then
		echo "skipped: $name (needs root)"
		skipped=$((skipped + 1))
		continue
	fi
	work=$tmp/work
	rm -rf "$work"
	mkdir "$work" || exit 73
	in=/dev/null
	[ -f "$case/stdin" ] && in=$case/stdin
	script=$(cat "$case/cmd")
	limit=$timeout_s
	[ -f "$case/timeout" ] && limit=$(tr -d ' \t\r\n' <"$case/timeout")

	PATH="$bindir:$PATH" LC_ALL=C TZ=UTC CASE=$case WORK=$work \
	    TL_TESTDATA=$top/testdata \
	    timeout -k 5 "$limit" bash -c "$script" \
	    <"$in" >"$tmp/stdout" 2>"$tmp/stderr"
	st=$?
	rm -rf "$work"

	want_st=0
	if [ -f "$case/status" ]; then
		want_st=$(tr -d ' \t\r\n' <"$case/status")
	fi

	problems=()
	report=$tmp/report
	: >"$report"
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		problems+=("timed out after ${limit} s (status $st)")
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$tmp/stderr"; then
		problems+=("sanitizer report on stderr")
		grep -E -m 10 'AddressSanitizer|LeakSanitizer|runtime error:' \
		    "$tmp/stderr" >>"$report"
	fi

	if [ "${TL_UPDATE:-0}" = 1 ] && [ ${#problems[@]} -eq 0 ]; then
		if ! cmp -s "$tmp/stdout" "$(expect "$case/expout")" ||
		    ! cmp -s "$tmp/stderr" "$(expect "$case/experr")" ||
		    [ "$st" != "$want_st" ]; then
			store "$tmp/stdout" "$case/expout"
			store "$tmp/stderr" "$case/experr"
			if [ "$st" -eq 0 ]; then
				rm -f "$case/status"
			else
				echo "$st" >"$case/status"
			fi
			echo "updated: $name"
			updated=$((updated + 1))
		fi
	elif [ "${TL_UPDATE:-0}" != 1 ]; then
		if ! cmp -s "$(expect "$case/expout")" "$tmp/stdout"; then
			problems+=("stdout differs")
			diff -u --label "$case/expout" --label stdout \
			    "$(expect "$case/expout")" "$tmp/stdout" >>"$report"
		fi
		if ! cmp -s "$(expect "$case/experr")" "$tmp/stderr"; then
			problems+=("stderr differs")
			diff -u --label "$case/experr" --label stderr \
			    "$(expect "$case/experr")" "$tmp/stderr" >>"$report"
		fi
		if [ "$st" != "$want_st" ]; then
			problems+=("status $st, expected $want_st")
		fi
	fi

	if [ ${#problems[@]} -eq 0 ]; then
		pass=$((pass + 1))
		tpass[$tool]=$((tpass[$tool] + 1))
		[ "${TL_VERBOSE:-0}" = 1 ] && echo "ok: $name"
	else
		fail=$((fail + 1))
		tfail[$tool]=$((tfail[$tool] + 1))
		msg=$(IFS=';'; echo "${problems[*]}")
		echo "FAIL: $name: ${msg//;/; }"
		n=$(wc -l <"$report")
		head -n "$maxdiff" "$report"
		if [ "$n" -gt "$maxdiff" ]; then
			echo "... ($((n - maxdiff)) more lines)"
		fi
	fi
done

if [ ${#globs[@]} -gt 0 ] && [ $((pass + fail)) -eq 0 ]; then
	echo "$prog: no case matches: ${globs[*]}" >&2
fi
for t in "${tools[@]}"; do
	printf '%s: %-16s %d/%d ok\n' "$prog" "$t" "${tpass[$t]}" \
	    $((tpass[$t] + tfail[$t]))
done
[ "$updated" -gt 0 ] && echo "$prog: $updated case(s) updated; read the git diff"
if [ "$skipped" -gt 0 ]; then
	echo "$prog: $skipped case(s) skipped: they need root"
fi
echo "$prog: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
