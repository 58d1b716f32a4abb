#!/bin/bash
# Genome benchmark (issue 25): tl-bayesopt run --objective ret:max
# --objective drawdown:min on the genome space of etc/space.json, each
# trial a `tl-synth --backtest` of the genome (one trading year of the
# world of tl-synth seed 1000), against Optuna 3.1's MOTPE and NSGA-II
# calling the same command: median hypervolume after 100 trials,
# reference point (ret -1, drawdown 1), seeds 1..20 (bench/bayesopt/
# genome.py; --first-seed 101 for tuning seeds).  Run it niced.
#
# usage: bench/bayesopt-genome.sh bindir [genome.py options, e.g. --seeds 5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BAYESOPT_BENCH=genome.py exec bench/bayesopt.sh "$@"
