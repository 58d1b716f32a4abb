#!/usr/bin/python3
"""Write a seeded factor-model QP for bench/allocate.sh.

usage: gen.py KIND N SEED OUT
KIND minvar: min 1/2 w'Sw, sum w = 1, 0 <= w <= 1 (long-only minimum
variance); KIND mv: min 1/2 lambda w'Sw - mu'w with lambda = 5 and
0 <= w <= 0.1.  S = B F B' + D: 5 factors (a market factor with loadings
around 1, four style factors), idiosyncratic vols U(0.10, 0.40), annual
units.  mu = B alpha + noise.

Output (text, whitespace-separated, read by tl-allocate --solve-qp, the R
and the cvxopt scripts): a '#' comment line, then n, the n x n matrix Q
row by row, c (n), lo (n), hi (n).
"""
import sys

import numpy as np

kind, n, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)
k = 5
fvol = np.array([0.15, 0.08, 0.06, 0.05, 0.04])
B = rng.normal(0.0, 0.5, (n, k))
B[:, 0] = rng.normal(1.0, 0.3, n)
D = rng.uniform(0.10, 0.40, n) ** 2
S = (B * fvol**2) @ B.T + np.diag(D)
S = (S + S.T) / 2
if kind == "minvar":
    Q, c = S, np.zeros(n)
    lo, hi = np.zeros(n), np.ones(n)
elif kind == "mv":
    Q = 5.0 * S
    c = B @ np.array([0.06, 0.02, -0.01, 0.015, 0.0]) + rng.normal(0, 0.03, n)
    lo, hi = np.zeros(n), np.full(n, 0.1)
else:
    sys.exit("gen.py: unknown kind " + kind)
with open(out, "w") as f:
    f.write("# tl-qp %s n=%d seed=%d\n%d\n" % (kind, n, seed, n))
    for row in Q:
        f.write(" ".join(repr(float(x)) for x in row) + "\n")
    for v in (c, lo, hi):
        f.write(" ".join(repr(float(x)) for x in v) + "\n")
