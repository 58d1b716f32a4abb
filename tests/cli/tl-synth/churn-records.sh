#!/bin/bash
# usage: tests/cli/tl-synth/churn-records.sh DIR
# The records of a tl-synth log directory, one per line for
# churn-facts.jq: {k, s, ts} for decisions and promotions, {k, s, ts,
# entry} for closed trades (JSON Lines and CSV, gzip'd or not), {k, s,
# day} for runs (the first day of their period).  Lines that are not
# JSON (the truncated one) are skipped.  Needs jq and mlr.
set -o pipefail
d=$1
for f in "$d"/logs/*/decisions.jsonl*; do zcat -f "$f"; done |
    jq -R -c 'fromjson? | {k: "decision", s: .strategy, ts}' || exit
{
	for f in "$d"/logs/*/trades.jsonl*; do zcat -f "$f"; done |
	    jq -R -c 'fromjson?' || exit
	for f in "$d"/logs/*/trades.csv*; do
		zcat -f "$f" | mlr --icsv --ojsonl --allow-ragged-csv-input cat ||
		    exit
	done
} | jq -c '{k: "trade", s: .strategy, ts: .exit_ts, entry: .entry_ts}' || exit
jq -c '{k: "run", s: .strategy, day: .start}' "$d"/logs/runs/*.jsonl* &&
jq -c '{k: "promotion", s: .strategy, ts}' "$d"/logs/promotions.jsonl
