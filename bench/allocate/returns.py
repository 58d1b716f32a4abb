#!/usr/bin/python3
"""Daily returns of n strategies from the bench factor model, as the long
date,strategy,return CSV tl-ingest writes (for timing the whole
tl-allocate command), and the Ledoit-Wolf min-variance QP cvxopt solves
on the same data (the covariance as tl-allocate estimates it:
scikit-learn's ledoit_wolf on the days, times 252), each weight in [0,
MAXW] (default 1).

usage: returns.py N DAYS SEED CSV QPFILE [MAXW]
"""
import datetime as dt
import sys

import numpy as np
from sklearn.covariance import ledoit_wolf

n, T, seed, csv, qpf = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
    sys.argv[4], sys.argv[5]
maxw = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
rng = np.random.default_rng(seed)
fvol = np.array([0.15, 0.08, 0.06, 0.05, 0.04]) / np.sqrt(252)
B = rng.normal(0.0, 0.5, (n, 5))
B[:, 0] = rng.normal(1.0, 0.3, n)
idio = rng.uniform(0.10, 0.40, n) / np.sqrt(252)
X = (rng.normal(size=(T, 5)) * fvol) @ B.T + rng.normal(size=(T, n)) * idio
X = np.round(X, 8)
d, dates = dt.date(2024, 1, 1), []
while len(dates) < T:
    if d.weekday() < 5:
        dates.append(d.isoformat())
    d += dt.timedelta(days=1)
names = ["S%05d" % j for j in range(n)]
with open(csv, "w") as f:
    f.write("date,strategy,return\n")
    for t in range(T):
        f.write("".join("%s,%s,%r\n" % (dates[t], names[j], float(X[t, j]))
                        for j in range(n)))
S = ledoit_wolf(X)[0] * 252
with open(qpf, "w") as f:
    f.write("# ledoit-wolf min-variance of %s\n%d\n" % (csv, n))
    for row in S:
        f.write(" ".join(repr(float(x)) for x in row) + "\n")
    for v in (np.zeros(n), np.zeros(n), np.full(n, maxw)):
        f.write(" ".join(repr(float(x)) for x in v) + "\n")
