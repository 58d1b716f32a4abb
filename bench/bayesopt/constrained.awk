# Constrained test problems for bench/bayesopt-constrained.sh as a
# tl-bayesopt run objective: reads {"x1":..,"x2":..} on stdin and prints
# {"value": f, "constraints": [...]}, feasible when all <= 0.
#   gramacy: Gramacy et al. (2016): f = x1 + x2 on [0, 1]^2,
#     c1 = 1.5 - x1 - 2 x2 - sin(2 pi (x1^2 - 2 x2)) / 2, c2 = x1^2 + x2^2 - 1.5
#   branin-disk: Branin on [-5, 10] x [0, 15] within the disk
#     (x1 - 2.5)^2 + (x2 - 7.5)^2 <= 50 (Gelbart et al. 2014)
# usage: awk -v f=gramacy -f constrained.awk
{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] + 0 }
	pi = atan2(0, -1)
	if (f == "gramacy") {
		c1 = 1.5 - x["x1"] - 2 * x["x2"] - \
		    sin(2 * pi * (x["x1"]^2 - 2 * x["x2"])) / 2
		printf "{\"value\":%.17g,\"constraints\":[%.17g,%.17g]}\n", \
		    x["x1"] + x["x2"], c1, x["x1"]^2 + x["x2"]^2 - 1.5
	} else {
		v = (x["x2"] - 5.1 / (4 * pi * pi) * x["x1"]^2 + \
		    5 / pi * x["x1"] - 6)^2 + 10 * (1 - 1 / (8 * pi)) * \
		    cos(x["x1"]) + 10
		printf "{\"value\":%.17g,\"constraints\":[%.17g]}\n", v, \
		    (x["x1"] - 2.5)^2 + (x["x2"] - 7.5)^2 - 50
	}
}
