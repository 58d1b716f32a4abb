# A learning-curve objective for bench/bayesopt-prune.sh: reads the
# params {"x0":..,...,"x5":..} (each in [0, 1]) on stdin and reports
# {"step": t, "value": v_t} for t = 0 .. 19, then v_19 alone:
#   v_t = f(x) + a(x) exp(-(t + 1) / tau(x)) + 0.005 u(x, t)
#   f(x) = 4 (x0 - .35)^2 + 4 (x1 - .6)^2 + 2 (x2 - .2)^2
#          + 3 (x3 - .75)^2 + (x4 - .5)^2
#          + .15 (1 - cos(6 pi (x0 - .35)))          (minimum 0)
#   a(x) = .5 + x5 + .5 x2,  tau(x) = 2 + 6 x5
# so curves converge to f, some slowly (x5 large) and from high above:
# early values mislead.  u in [-1, 1] is a fixed hash of (x, t) that
# prune.py computes the same way (libm's sin), so both tools see the same
# noisy curves.
function fl(y) { return y >= 0 || y == int(y) ? int(y) : int(y) - 1 }
function u(t,    h) {
	h = sin(12.9898 * (x["x0"] + 2 * x["x1"] + 3 * x["x2"] + 4 * x["x3"] + \
	    5 * x["x4"] + 6 * x["x5"]) + 78.233 * t) * 43758.5453
	return 2 * (h - fl(h)) - 1
}
{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] + 0 }
	PI = atan2(0, -1)
	f = 4 * (x["x0"] - .35)^2 + 4 * (x["x1"] - .6)^2 + \
	    2 * (x["x2"] - .2)^2 + 3 * (x["x3"] - .75)^2 + (x["x4"] - .5)^2 + \
	    .15 * (1 - cos(6 * PI * (x["x0"] - .35)))
	a = .5 + x["x5"] + .5 * x["x2"]; tau = 2 + 6 * x["x5"]
	for (t = 0; t < 20; t++) {
		v = f + a * exp(-(t + 1) / tau) + .005 * u(t)
		printf "{\"step\":%d,\"value\":%.17g}\n", t, v
		fflush()
	}
	printf "%.17g\n", v
}
