#!/bin/bash
# Constrained benchmark (issue 25): tl-bayesopt run with constraints
# against Optuna 3.1's TPE with constraints_func: median best feasible
# value after 100 trials, 20 seeds (bench/bayesopt/constrained.py).
#
# usage: bench/bayesopt-constrained.sh bindir [constrained.py options, e.g. --seeds 5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BAYESOPT_BENCH=constrained.py exec bench/bayesopt.sh "$@"
