# Trials of the 70/25/5 function for bench/bayesopt-importance.sh and the
# importance CLI cases: n trials (-v n=300) drawn uniformly from the
# space of testdata/tl-bayesopt/importance-space.json with awk's srand(seed)
# (-v seed=1), one JSON line each:
#   f = a u1 + b u2^2 + c sin(2 pi x3 / 10),  x4 and x5 inert
# with u1 = x1 in [0, 1], u2 = log10(x2) / 2 (x2 log in [1, 100]), x3 an
# int in [0, 9]; a^2 / 12 = 0.70, b^2 4 / 45 = 0.25, c^2 / 2 = 0.05, so
# the main effects are 0.70, 0.25 and 0.05 of the variance under the
# uniform measure (tests/unit/test_tl_fanova.c has the sums).
# -v mo=1 writes the value under "values" as {"f": v, "g": -v} instead.
BEGIN {
	if (n == "") n = 300
	if (seed == "") seed = 1
	srand(seed)
	PI = atan2(0, -1)
	a = sqrt(0.70 * 12); b = sqrt(0.25 * 45 / 4); c = sqrt(0.05 * 2)
	split("p q r", ch, " ")
	for (i = 0; i < n; i++) {
		u1 = rand(); u2 = rand(); x3 = int(rand() * 10); x4 = rand()
		x5 = ch[1 + int(rand() * 3)]
		x2 = 10 ^ (2 * u2)
		f = a * u1 + b * u2 * u2 + c * sin(2 * PI * x3 / 10)
		p = sprintf("{\"x1\":%.17g,\"x2\":%.17g,\"x3\":%d,\"x4\":%.17g," \
		    "\"x5\":\"%s\"}", u1, x2, x3, x4, x5)
		if (mo)
			v = sprintf("\"values\":{\"f\":%.17g,\"g\":%.17g}", f, -f)
		else
			v = sprintf("\"value\":%.17g", f)
		printf "{\"trial\":%d,\"state\":\"complete\",\"params\":%s,%s}\n",
		    i, p, v
	}
}
