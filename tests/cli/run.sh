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
# passing cases too), TL_TIMEOUT=seconds (default 60), TL_JOBS=n (cases
# run side by side; default one a core, output in case order)
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

# run_case DIR NAME OUT: run one case; write what it prints to OUT.out
# and its outcome (pass, fail or skip, then "updated" when it was) to
# OUT.res.  Cases run side by side, each in its own WORK and files.
run_case() {
	local case=$1 name=$2 o=$3
	local work=$o.work in=/dev/null script limit st want_st report msg n
	local problems=() res=pass
	: >"$o.out"
	if grep -qx root "$case/needs" 2>/dev/null && [ "$(id -u)" -ne 0 ]; then
		echo "skipped: $name (needs root)" >"$o.out"
		echo skip >"$o.tmp" && mv "$o.tmp" "$o.res"
		return
	fi
	mkdir "$work" || exit 73
	[ -f "$case/stdin" ] && in=$case/stdin
	script=$(cat "$case/cmd")
	limit=$timeout_s
	[ -f "$case/timeout" ] && limit=$(tr -d ' \t\r\n' <"$case/timeout")

	PATH="$bindir:$PATH" LC_ALL=C TZ=UTC CASE=$case WORK=$work \
	    TL_TESTDATA=$top/testdata \
	    timeout -k 5 "$limit" bash -c "$script" \
	    <"$in" >"$o.stdout" 2>"$o.stderr"
	st=$?
	rm -rf "$work"

	want_st=0
	if [ -f "$case/status" ]; then
		want_st=$(tr -d ' \t\r\n' <"$case/status")
	fi

	report=$o.report
	: >"$report"
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		problems+=("timed out after ${limit} s (status $st)")
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$o.stderr"; then
		problems+=("sanitizer report on stderr")
		grep -E -m 10 'AddressSanitizer|LeakSanitizer|runtime error:' \
		    "$o.stderr" >>"$report"
	fi

	if [ "${TL_UPDATE:-0}" = 1 ] && [ ${#problems[@]} -eq 0 ]; then
		if ! cmp -s "$o.stdout" "$(expect "$case/expout")" ||
		    ! cmp -s "$o.stderr" "$(expect "$case/experr")" ||
		    [ "$st" != "$want_st" ]; then
			store "$o.stdout" "$case/expout"
			store "$o.stderr" "$case/experr"
			if [ "$st" -eq 0 ]; then
				rm -f "$case/status"
			else
				echo "$st" >"$case/status"
			fi
			echo "updated: $name" >>"$o.out"
			res="pass updated"
		fi
	elif [ "${TL_UPDATE:-0}" != 1 ]; then
		if ! cmp -s "$(expect "$case/expout")" "$o.stdout"; then
			problems+=("stdout differs")
			diff -u --label "$case/expout" --label stdout \
			    "$(expect "$case/expout")" "$o.stdout" >>"$report"
		fi
		if ! cmp -s "$(expect "$case/experr")" "$o.stderr"; then
			problems+=("stderr differs")
			diff -u --label "$case/experr" --label stderr \
			    "$(expect "$case/experr")" "$o.stderr" >>"$report"
		fi
		if [ "$st" != "$want_st" ]; then
			problems+=("status $st, expected $want_st")
		fi
	fi

	if [ ${#problems[@]} -eq 0 ]; then
		[ "${TL_VERBOSE:-0}" = 1 ] && echo "ok: $name" >>"$o.out"
	else
		res=fail
		msg=$(IFS=';'; echo "${problems[*]}")
		{
			echo "FAIL: $name: ${msg//;/; }"
			n=$(wc -l <"$report")
			head -n "$maxdiff" "$report"
			if [ "$n" -gt "$maxdiff" ]; then
				echo "... ($((n - maxdiff)) more lines)"
			fi
		} >>"$o.out"
	fi
	rm -f "$o.stdout" "$o.stderr" "$report"
	# written whole, then renamed: a file there is a finished case
	echo "$res" >"$o.tmp" && mv "$o.tmp" "$o.res"
}

pass=0
fail=0
skipped=0
updated=0
declare -A tpass tfail
tools=()
cases=()
names=()

for cmdfile in tests/cli/*/[0-9][0-9][0-9]-*/cmd; do
	[ -f "$cmdfile" ] || continue
	case=${cmdfile%/cmd}			# tests/cli/tl-ingest/001-basic
	name=${case#tests/cli/}			# tl-ingest/001-basic
	selected "$name" || continue
	cases+=("$case")
	names+=("$name")
done

# collect I: print case I's lines and count its outcome (in case order,
# whatever order the cases end in).
collect() {
	local name=${names[$1]} o=$tmp/case$1 res tool
	tool=${name%%/*}
	if [ -z "${tpass[$tool]+x}" ]; then
		tools+=("$tool")
		tpass[$tool]=0
		tfail[$tool]=0
	fi
	cat "$o.out" 2>/dev/null
	res=fail
	if [ -f "$o.res" ]; then
		read -r res <"$o.res"
	else
		echo "FAIL: $name: the runner lost the case (no outcome written)"
	fi
	case $res in
	skip) skipped=$((skipped + 1)) ;;
	fail)
		fail=$((fail + 1))
		tfail[$tool]=$((tfail[$tool] + 1)) ;;
	*)
		pass=$((pass + 1))
		tpass[$tool]=$((tpass[$tool] + 1))
		[ "$res" = "pass updated" ] && updated=$((updated + 1)) ;;
	esac
	rm -f "$o.out" "$o.res"
}

# TL_JOBS cases at a time (default: one a core); lines are printed as
# soon as every earlier case has ended.
jobs_max=${TL_JOBS:-$(nproc 2>/dev/null || echo 1)}
running=0
next=0
for i in "${!cases[@]}"; do
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_case "${cases[$i]}" "${names[$i]}" "$tmp/case$i" &
	running=$((running + 1))
	while [ "$next" -lt "$i" ] && [ -f "$tmp/case$next.res" ]; do
		collect "$next"
		next=$((next + 1))
	done
done
wait
while [ "$next" -lt "${#cases[@]}" ]; do
	collect "$next"
	next=$((next + 1))
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
