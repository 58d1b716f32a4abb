#!/bin/sh
# A two-objective test objective for tl-bayesopt run --objective: ZDT1
# (Zitzler, Deb & Thiele 2000) on the params x0, x1, x2 in [0, 1]:
# prints {"f1": x0, "f2": g (1 - sqrt(x0 / g))}, g = 1 + 9 (x1 + x2) / 2.
awk '{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] + 0 }
	f1 = x["x0"]; g = 1 + 9 * (x["x1"] + x["x2"]) / 2
	printf "{\"f1\":%.10g,\"f2\":%.10g}\n", f1, g * (1 - sqrt(f1 / g))
}'
