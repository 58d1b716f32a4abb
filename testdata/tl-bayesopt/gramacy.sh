#!/bin/sh
# The constrained toy problem of Gramacy et al. (2016), "Modeling an
# augmented Lagrangian for blackbox constrained optimization",
# Technometrics 58(1), as a tl-bayesopt run objective: minimise x1 + x2
# on [0, 1]^2 subject to
#   c1 = 1.5 - x1 - 2 x2 - sin(2 pi (x1^2 - 2 x2)) / 2 <= 0
#   c2 = x1^2 + x2^2 - 1.5 <= 0
# printed as {"value": v, "constraints": [c1, c2]}.
awk '{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] + 0 }
	pi = atan2(0, -1)
	c1 = 1.5 - x["x1"] - 2 * x["x2"] - sin(2 * pi * (x["x1"]^2 - 2 * x["x2"])) / 2
	c2 = x["x1"]^2 + x["x2"]^2 - 1.5
	printf "{\"value\":%.10g,\"constraints\":[%.10g,%.10g]}\n", x["x1"] + x["x2"], c1, c2
}'
