#!/bin/bash
# Benchmark tl-report history: a year of nights of a large book.  One
# night of a book of 2,000 strategies (250 days of seeded returns, an
# allocation of every strategy, their overfit statistics, 100 alerts, 40
# features, 4 contexts of 10 arms, 250 regime rows; written by awk under
# bench/out/, the calibration report of the tl-report fixture) is
# reported by tl-report once; its report.json is then the facts of 365
# published nights (nights/.DATE.RUN with a nights/DATE link, as
# tl-nightly lays them out), and tl-report history reads them all and
# writes the index and the pages: median of 3 runs.
#
# usage: bench/history.sh bindir
# prints: bench history: 365 nights x 2000 strategies median X s
#         (target < 5 s), peak R KiB, report.json N MB, index 365 lines
set -euo pipefail

prog="bench history"
runs=3
nights=365
strategies=2000
days=250

# shellcheck source=bench/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bench_start "bench/history.sh bindir" 1 "$@"
bench_need tl-report
bench_gnutime

out=bench/out/history
rm -rf "$out"
mkdir -p "$out/night" "$out/state/nights"
n=$out/night

# the night: every file a seeded awk writes (an LCG, so that the bytes do
# not depend on awk's rand())
awk -v ns=$strategies -v nd=$days -v dir="$n" '
function u() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
function g() { return sqrt(-2 * log(u() + 1e-12)) * cos(6.283185307 * u()) }
BEGIN {
	seed = 42
	print "date,strategy,return" > (dir "/returns.csv")
	d = 0
	for (t = 0; t < nd; t++) {
		# weekdays from 2025-01-06 (a Monday)
		day = t + int(t / 5) * 2
		cmd = "date -u -d \"2025-01-06 + " day " days\" +%F"
		cmd | getline date[t]
		close(cmd)
		for (j = 0; j < ns; j++)
			if (u() < 0.9)
				printf "%s,S%05d,%.7f\n", date[t], j, 0.0004 * g() + 0.0002 > (dir "/returns.csv")
	}
	for (j = 0; j < ns; j++) {
		printf "{\"strategy\":\"S%05d\",\"weight\":%.6f,\"prev_weight\":%.6f,\"expected_return\":%.5f,\"volatility\":%.5f,\"risk_contribution\":%.6f}\n", j, (j % 4 ? 1.333 / ns : 0), 1.0 / ns, 0.05 * g(), 0.02 + 0.01 * u(), 1.0 / ns > (dir "/allocation.jsonl")
		printf "{\"strategy\":\"S%05d\",\"n\":%d,\"mean\":%.6f,\"sd\":%.6f,\"sharpe\":%.5f,\"sharpe_ann\":%.4f,\"psr\":%.4f,\"dsr\":%.6f,\"sr0\":0.21,\"trials\":5000,\"mintrl\":%.1f}\n", j, nd, 0.0002, 0.004, 0.05 * g(), 0.8 * g(), u(), u() / 100, 100 + 900 * u() > (dir "/overfit-stats.jsonl")
	}
	for (a = 0; a < 100; a++)
		printf "{\"strategy\":\"S%05d\",\"kind\":\"decay\",\"severity\":\"%s\",\"since\":\"%s\",\"action\":\"demote\",\"acknowledged\":%s,\"figures\":{\"in_sample_sharpe\":0.12,\"oos_sharpe\":-0.2,\"decay\":2.6,\"threshold\":0.5,\"window\":20,\"days\":9}}\n", a * 17, (a % 3 ? "medium" : "high"), date[nd - 1 - a % 20], (a % 5 ? "false" : "true") > (dir "/alerts.jsonl")
	printf "{\"format\":\"tl-forest-summary\",\"version\":1,\"task\":\"regression\",\"target\":\"next_roi\",\"n_rows\":50000,\"n_features\":40,\"oob\":{\"r2\":0.21,\"mse\":0.0004},\"baseline\":{\"mse\":0.0005},\"importance\":{\"permutation\":[" > (dir "/forest.json")
	for (f = 0; f < 40; f++)
		printf "%s{\"feature\":\"genome.p%02d\",\"importance\":%.6f}", (f ? "," : ""), f, 0.001 * u() > (dir "/forest.json")
	print "]}}" > (dir "/forest.json")
	for (c = 0; c < 4; c++)
		for (k = 0; k < 10; k++)
			printf "{\"arm\":\"signal_%d\",\"context\":\"regime%d\",\"weight\":0.1,\"prev_weight\":0.1,\"p_best\":0.1,\"mean\":0.55,\"n\":500}\n", k, c > (dir "/weights.jsonl")
	for (t = 0; t < nd; t++)
		printf "{\"date\":\"%s\",\"state\":%d,\"label\":\"r%d\",\"prob\":[0.3,0.4,0.3]}\n", date[t], int(t / 30) % 3, int(t / 30) % 3 > (dir "/regimes.jsonl")
	printf "{\"format\":\"tl-nightly-run\",\"version\":1,\"date\":\"%s\",\"previous\":\"%s\",\"steps\":[]}\n", date[nd - 1], date[nd - 2] > (dir "/pipeline.json")
}'
cp testdata/tl-report/full/calibration-report.json "$n/"
tl-report -q --stale-days 10 "$n"
size=$(wc -c <"$n/report.json")

# a year of published nights, each with that night's facts
awk -v nn=$nights 'BEGIN {
	for (k = 0; k < nn; k++) {
		cmd = "date -u -d \"2025-01-01 + " k " days\" +%F"
		cmd | getline d
		close(cmd)
		print d
	}
}' | while read -r d; do
	mkdir "$out/state/nights/.$d.r1"
	cp "$n/report.json" "$out/state/nights/.$d.r1/"
	ln -s ".$d.r1" "$out/state/nights/$d"
done

rm -f "$out/history.times"
for _ in $(seq "$runs"); do
	measure history tl-report history -q "$out/state"
done
printf 'bench history: %d nights x %d strategies median %s s (target < 5 s), peak %s KiB, report.json %.1f MB, index %d lines\n' \
    "$nights" "$strategies" "$(median "$out/history.times" 1)" \
    "$(median "$out/history.times" 2)" "$(echo "$size / 1048576" | bc -l)" \
    "$(wc -l <"$out/state/nights/index.jsonl")"
