#!/usr/bin/python3
"""Solve a bench/allocate/gen.py problem with cvxopt's interior-point QP.

usage: cvxopt_qp.py FILE RUNS
prints: objective, max constraint violation, median solve seconds
Tolerances are tightened (abstol 1e-12, reltol 1e-12, feastol 1e-12) so
that the objective is good to 1e-8 relative; the default stops near 1e-7.
"""
import statistics
import sys
import time

import numpy as np
from cvxopt import matrix, solvers

solvers.options.update(show_progress=False, abstol=1e-12, reltol=1e-12,
                       feastol=1e-12, maxiters=200)
with open(sys.argv[1]) as f:
    x = np.array(" ".join(l for l in f if not l.startswith("#")).split(),
                 dtype=float)
runs = int(sys.argv[2])
n = int(x[0])
o = 1
Q = x[o:o + n * n].reshape(n, n); o += n * n
c = x[o:o + n]; o += n
lo = x[o:o + n]; o += n
hi = x[o:o + n]
capped = np.where(hi < 1)[0]
G = np.vstack([-np.eye(n), np.eye(n)[capped]])
h = np.concatenate([-lo, hi[capped]])
args = (matrix(Q), matrix(-c), matrix(G), matrix(h), matrix(np.ones((1, n))),
        matrix(1.0))
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    sol = solvers.qp(*args)
    times.append(time.perf_counter() - t0)
w = np.array(sol["x"]).ravel()
obj = 0.5 * w @ Q @ w - c @ w
viol = max(abs(w.sum() - 1), (lo - w).max(), (w - hi).max())
print("%.17g %.3g %.6f" % (obj, viol, statistics.median(times)))
