#!/bin/bash
# Benchmark tl-bayesopt against Optuna 3.1 (python3-optuna), the tool
# people would use instead.  Quality: final regret after 100 trials on
# Branin, Hartmann6, Rosenbrock-5D, Ackley-5D and a mixed space, 20
# seeds (as the issue asks; --seeds 5 while iterating), for tl-bayesopt
# (through `tl-bayesopt run` with an awk objective), Optuna's default
# TPESampler and its RandomSampler: median and quartiles.  Speed: one
# `tl-bayesopt suggest` over a 1,000-trial history against Optuna's
# ask+tell at the same history size; the ratio moves with the machine's
# load (ours is mostly process start and page faults, Optuna's is
# Python), so quote the median of a few runs (--no-quality).  About 3 to
# 11 minutes on a shared 2-core machine (Optuna's TPE takes most of it).
# The screening figure is bench/bayesopt-screen.sh.
#
# usage: bench/bayesopt.sh bindir [bench.py options, e.g. --seeds 5]
# prints: bench bayesopt: quality N/5 ...; bench bayesopt: speed ratio X
# BAYESOPT_BENCH names another script of bench/bayesopt/ to run the same
# way (bench/bayesopt-prune.sh: prune.py).
set -euo pipefail

script=${BAYESOPT_BENCH:-bench.py}
prog="bench bayesopt${BAYESOPT_BENCH:+ ($script)}"

if [ $# -lt 1 ]; then
	echo "usage: bench/bayesopt.sh bindir [--seeds N] [--trials N]" >&2
	exit 64
fi
if ! bindir=$(cd "$1" 2>/dev/null && pwd); then
	echo "$prog: $1: no such directory (run make first)" >&2
	exit 66
fi
shift
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C TZ=UTC
if [ ! -x "$bindir/tl-bayesopt" ]; then
	echo "$prog: tl-bayesopt is missing from $bindir (not built yet?)" >&2
	exit 1
fi

# Debian's python3 holds python3-optuna; a pyenv or venv python3 earlier
# in PATH may not.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
has_optuna() {
	[ -n "$py" ] && "$py" -c 'import optuna, numpy' >/dev/null 2>&1
}
if ! has_optuna; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "$prog: installing python3-optuna" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends python3-optuna python3-numpy >&2
	fi
	if ! has_optuna; then
		echo "$prog: skipped: no optuna (apt-get install -y python3-optuna)"
		exit 0
	fi
fi
if ! command -v awk >/dev/null 2>&1; then
	echo "$prog: skipped: awk is not installed"
	exit 0
fi
exec "$py" "bench/bayesopt/$script" "$bindir" "$@"
