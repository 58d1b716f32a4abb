#!/bin/bash
# Multi-objective benchmark (issue 25): tl-bayesopt run --objective
# against Optuna 3.1's MOTPE and NSGA-II: median hypervolume after 100
# trials on ZDT1 and ZDT2 (5 variables), 20 seeds (bench/bayesopt/mo.py).
#
# usage: bench/bayesopt-mo.sh bindir [mo.py options, e.g. --seeds 5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BAYESOPT_BENCH=mo.py exec bench/bayesopt.sh "$@"
