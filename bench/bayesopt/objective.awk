# Test functions for bench/bayesopt.sh, as a tl-bayesopt run objective:
# reads one JSON object of params on stdin ({"x0":1.5,"x1":...,"n":3,
# "c":"b"}: flat, numbers and strings only, as tl-bayesopt writes them)
# and prints the function's value.  usage: awk -v f=NAME -f objective.awk
# NAME: branin, hartmann6, rosenbrock5, ackley5, mixed.  The Python
# reference in bench.py computes the same functions.
function branin(    a, b, c, r, s, t) {
	a = 1; b = 5.1 / (4 * PI * PI); c = 5 / PI; r = 6; s = 10
	t = 1 / (8 * PI)
	return a * (x["x1"] - b * x["x0"]^2 + c * x["x0"] - r)^2 + \
	    s * (1 - t) * cos(x["x0"]) + s
}
function hartmann6(    i, j, inner, out) {
	split("1.0 1.2 3.0 3.2", al, " ")
	split("10 3 17 3.5 1.7 8 0.05 10 17 0.1 8 14 3 3.5 1.7 10 17 8 17 8 0.05 10 0.1 14", A, " ")
	split("1312 1696 5569 124 8283 5886 2329 4135 8307 3736 1004 9991 2348 1451 3522 2883 3047 6650 4047 8828 8732 5743 1091 381", P, " ")
	out = 0
	for (i = 0; i < 4; i++) {
		inner = 0
		for (j = 0; j < 6; j++)
			inner += A[i * 6 + j + 1] * (x["x" j] - P[i * 6 + j + 1] * 1e-4)^2
		out += al[i + 1] * exp(-inner)
	}
	return -out
}
function rosenbrock(d,    i, s) {
	s = 0
	for (i = 0; i < d - 1; i++)
		s += 100 * (x["x" (i + 1)] - x["x" i]^2)^2 + (1 - x["x" i])^2
	return s
}
function ackley(d,    i, s1, s2) {
	s1 = 0; s2 = 0
	for (i = 0; i < d; i++) {
		s1 += x["x" i]^2
		s2 += cos(2 * PI * x["x" i])
	}
	return -20 * exp(-0.2 * sqrt(s1 / d)) - exp(s2 / d) + 20 + exp(1)
}
function mixed(    off) {
	off = x["c"] == "a" ? 1 : x["c"] == "b" ? 0 : 2
	return (x["x0"] - 1)^2 + (x["x1"] + 2)^2 + 0.1 * (x["n"] - 7)^2 + off
}
BEGIN { PI = atan2(0, -1) }
{
	line = $0
	gsub(/[{}]/, "", line)
	n = split(line, kv, ",")
	for (i = 1; i <= n; i++) {
		k = kv[i]; sub(/:.*/, "", k); gsub(/"/, "", k)
		v = kv[i]; sub(/^[^:]*:/, "", v); gsub(/"/, "", v)
		x[k] = v ~ /^[-+0-9.eE]+$/ ? v + 0 : v
	}
}
END {
	if (f == "branin") v = branin()
	else if (f == "hartmann6") v = hartmann6()
	else if (f == "rosenbrock5") v = rosenbrock(5)
	else if (f == "ackley5") v = ackley(5)
	else if (f == "mixed") v = mixed()
	else { print "objective.awk: unknown f '" f "'" > "/dev/stderr"; exit 2 }
	printf "%.17g\n", v
}
