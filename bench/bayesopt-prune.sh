#!/bin/bash
# Pruning benchmark (issue 25): tl-bayesopt run --pruner median against
# Optuna 3.1's TPESampler + MedianPruner on learning curves
# (bench/bayesopt/curve.awk), 20 seeds, each run to a budget of steps:
# median regret and steps spent.  About 5 minutes on a shared 2-core
# machine.
#
# usage: bench/bayesopt-prune.sh bindir [prune.py options, e.g. --seeds 5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BAYESOPT_BENCH=prune.py exec bench/bayesopt.sh "$@"
