#!/bin/sh
# A two-objective test objective with a planted front, for tl-bayesopt
# run --sampler nsga2: on the integer params a, b in [0, 19] it prints
# {"f1": a, "f2": 19 - a + 2 b}; the front is b = 0, every a.
awk '{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] + 0 }
	printf "{\"f1\":%d,\"f2\":%d}\n", x["a"], 19 - x["a"] + 2 * x["b"]
}'
