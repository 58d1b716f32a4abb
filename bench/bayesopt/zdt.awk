# ZDT1 and ZDT2 (Zitzler, Deb & Thiele 2000, "Comparison of
# multiobjective evolutionary algorithms", Evolutionary Computation 8(2))
# for bench/bayesopt-mo.sh as a tl-bayesopt run objective: reads the
# params {"x0":..,...} (n of them, each in [0, 1]) on stdin and prints
# {"f1": x0, "f2": g h}, g = 1 + 9 sum(x1..)/(n - 1), h = 1 - sqrt(f1/g)
# (zdt1) or 1 - (f1/g)^2 (zdt2).  usage: awk -v f=zdt1 -f zdt.awk
{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	s = 0
	for (i = 1; i <= n; i++) {
		split(kv[i], p, ":")
		if (p[1] == "x0") f1 = p[2] + 0
		else s += p[2]
	}
	g = 1 + 9 * s / (n - 1)
	h = f == "zdt2" ? 1 - (f1 / g)^2 : 1 - sqrt(f1 / g)
	printf "{\"f1\":%.17g,\"f2\":%.17g}\n", f1, g * h
}
