# shellcheck shell=bash
# Sourced by the pipes cases: a synthetic log directory and its night in
# $WORK (logs/ with market.csv beside it, night/ from tl-ingest), and the
# current directory there.
cd "$WORK" || exit 1
tl-synth -q -d s -s 3 --trades 2000 || exit 1
mv s/logs logs && mv s/market.csv market.csv || exit 1
tl-ingest -q -d night logs || exit 1
