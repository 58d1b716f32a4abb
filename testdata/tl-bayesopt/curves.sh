#!/bin/sh
# A test objective for resumed tl-bayesopt runs (tests/cli/tl-bayesopt/
# 150-run-resume-exact), on the space curves-space.json: 12 reports
# {"step": t, "value": v_t}, t = 0 .. 11, of a noisy learning curve
#   v_t = f + (.5 + x3 + .5 x2) exp(-(t + 1) / (2 + 6 x1)) + .005 u(t)
#   f   = 4 (x0 - .35)^2 + 4 (x1 - .6)^2 + 2 (x2 - .2)^2 + 3 (x3 - .75)^2
#         + (log10(rate) + 2.5)^2 / 4 + (depth - 4)^2 / 16
#         + .3 [kind != "b"] + .15 (1 - cos(6 pi (x0 - .35)))
# (u in [-1, 1] a hash of the params and t, as bench/bayesopt/curve.awk),
# then the last line by $1:
#   (none)  v_11
#   c       {"value": v_11, "constraints": [x0 + x1 - .9]}
#   mo      {"f1": v_11, "f2": 4 (x0 - .8)^2 + 4 (x1 - .2)^2 + x2,
#            "constraints": [x0 + x1 - .9]}
# (f's minimum, at x0 + x1 = .95, is infeasible).
# With KILL_AT=n and KILL_FILE=file in the environment, the first call
# that finds the history KILL_HIST holding n lines creates file and
# kills its parent (tl-bayesopt run) with SIGKILL.
if [ -n "${KILL_AT:-}" ] && [ ! -e "$KILL_FILE" ] &&
    [ "$(wc -l < "$KILL_HIST")" -ge "$KILL_AT" ]; then
	: > "$KILL_FILE"
	kill -KILL "$PPID"
	exit 0
fi
awk -v mode="${1:-}" 'function fl(y) { return y >= 0 || y == int(y) ? int(y) : int(y) - 1 }
function u(t,    h) {
	h = sin(12.9898 * (x["x0"] + 2 * x["x1"] + 3 * x["x2"] + 4 * x["x3"] + \
	    5 * x["rate"] + 6 * x["depth"]) + 78.233 * t) * 43758.5453
	return 2 * (h - fl(h)) - 1
}
{
	line = $0; gsub(/[{}" ]/, "", line); n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); x[p[1]] = p[2] }
	PI = atan2(0, -1)
	f = 4 * (x["x0"] - .35)^2 + 4 * (x["x1"] - .6)^2 + \
	    2 * (x["x2"] - .2)^2 + 3 * (x["x3"] - .75)^2 + \
	    (log(x["rate"]) / log(10) + 2.5)^2 / 4 + (x["depth"] - 4)^2 / 16 + \
	    (x["kind"] != "b") * .3 + .15 * (1 - cos(6 * PI * (x["x0"] - .35)))
	a = .5 + x["x3"] + .5 * x["x2"]; tau = 2 + 6 * x["x1"]
	for (t = 0; t < 12; t++) {
		v = f + a * exp(-(t + 1) / tau) + .005 * u(t)
		printf "{\"step\":%d,\"value\":%.17g}\n", t, v
	}
	if (mode == "c")
		printf "{\"value\":%.17g,\"constraints\":[%.17g]}\n", v, \
		    x["x0"] + x["x1"] - .9
	else if (mode == "mo")
		printf "{\"f1\":%.17g,\"f2\":%.17g,\"constraints\":[%.17g]}\n", \
		    v, 4 * (x["x0"] - .8)^2 + 4 * (x["x1"] - .2)^2 + x["x2"], \
		    x["x0"] + x["x1"] - .9
	else
		printf "%.17g\n", v
}'
