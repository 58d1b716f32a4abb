#!/bin/sh
# A test objective with a learning curve for tl-bayesopt run --pruner:
# the value of objective.sh plus 2/(step + 1), reported after each of 8
# steps as {"step": k, "value": v}, then the final value alone.
awk '{
	line = $0; gsub(/[{}"]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] }
	v = (x["lookback"] - 100)^2 / 10000 + (x["entry_z"] - 2)^2
	if (x["universe"] != "tech") v += 1
	for (k = 0; k < 8; k++)
		printf "{\"step\":%d,\"value\":%.6f}\n", k, v + 2 / (k + 1)
	printf "%.6f\n", v
}'
