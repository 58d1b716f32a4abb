#!/bin/sh
# A test objective for tl-bayesopt run: reads the params as JSON on stdin
# and prints a number, a smooth function of them with its best at
# lookback 100, entry_z 2, universe tech.
awk '{
	line = $0; gsub(/[{}"]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] }
	v = (x["lookback"] - 100)^2 / 10000 + (x["entry_z"] - 2)^2
	if (x["universe"] != "tech") v += 1
	printf "%.6f\n", v
}'
