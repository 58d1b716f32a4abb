#!/usr/bin/python3
"""Writes the small inputs of tests/cli/tl-allocate (run once; the files
are committed).  Six strategies, 60 weekdays, a two-factor model with a
seeded numpy draw; zeta tracks alpha (correlation about 0.99); two cells
are missing so that --missing aligned drops two days."""
import datetime as dt

import numpy as np

rng = np.random.default_rng(7)
n, T = 6, 60
names = ["alpha", "beta", "gamma", "delta", "eps", "zeta"]
mu = np.array([6, 3, 1, 4, -2, 2]) * 1.5e-3
B = rng.normal(0, 1, (n, 2)) * np.array([0.006, 0.003])
B[:, 0] = np.abs(B[:, 0]) + 0.002
idio = np.array([0.004, 0.009, 0.006, 0.012, 0.005, 0.008])
F = rng.normal(0, 1, (T, 2))
E = rng.normal(0, 1, (T, n)) * idio
X = mu + F @ B.T + E
X[:, 5] = 0.9 * X[:, 0] + 0.1 * X[:, 5]
d, dates = dt.date(2026, 1, 5), []
while len(dates) < T:
    if d.weekday() < 5:
        dates.append(d.isoformat())
    d += dt.timedelta(days=1)
r = lambda v: repr(round(float(v), 7))
with open("returns.csv", "w") as f:
    f.write("date,strategy,return\n")
    for t in range(T):
        for j in range(n):
            if (t, j) not in [(10, 3), (33, 1)]:
                f.write("%s,%s,%s\n" % (dates[t], names[j], r(X[t, j])))
with open("wide.csv", "w") as f:
    f.write("date," + ",".join(names[:4]) + "\n")
    for t in range(T):
        f.write(dates[t] + "," + ",".join(r(X[t, j]) for j in range(4)) + "\n")
lines = open("returns.csv").read().splitlines()
with open("bad-nan.csv", "w") as f:
    f.write("\n".join(lines[:8] + [lines[8].rsplit(",", 1)[0] + ",NaN"] +
                      lines[9:20]) + "\n")
with open("constant.csv", "w") as f:
    f.write("date,a,b,c\n")
    for t in range(20):
        f.write("%s,%s,0.001,%s\n" % (dates[t], r(X[t, 0]), r(X[t, 1])))
with open("identical.csv", "w") as f:
    f.write("date,a,b,c\n")
    for t in range(20):
        f.write("%s,%s,%s,%s\n" % (dates[t], r(X[t, 0]), r(X[t, 1]), r(X[t, 0])))
with open("negative.csv", "w") as f:
    f.write("date,a,b,c\n")
    for t in range(20):
        f.write("%s,%s,%s,%s\n" % (dates[t], r(X[t, 0] - 0.02),
                                   r(X[t, 1] - 0.02), r(X[t, 2] - 0.02)))
open("one-day.csv", "w").write("date,strategy,return\n2026-01-05,a,0.001\n"
                               "2026-01-05,b,-0.002\n2026-01-05,c,0.0005\n")
open("one-strategy.csv", "w").write("date,strategy,return\n2026-01-05,a,0.001\n"
                                    "2026-01-06,a,-0.002\n")
open("prev.jsonl", "w").write("".join('{"strategy":"%s","weight":%s}\n' % kv for kv in
    [("alpha", 0.3), ("beta", 0.1), ("gamma", 0.3), ("delta", 0.1),
     ("eps", 0.1), ("old", 0.1)]))
open("mu.csv", "w").write("strategy,expected_return\nalpha,0.12\nbeta,0.05\n"
                          "gamma,0.02\ndelta,0.09\neps,-0.03\nzeta,0.04\n")
