#!/usr/bin/env python3
"""Friedman #1 (Friedman 1991; sklearn.datasets.make_friedman1):
y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + N(0, noise^2),
x uniform on [0, 1]^p, features 6..p irrelevant.  Writes a CSV with a
header x1..xp,y, rounded to 6 decimals (what a CSV would hold).

usage: friedman.py ROWS FEATURES NOISE SEED OUT.csv
"""
import sys

import numpy as np


def main():
    n, p, noise, seed, out = (int(sys.argv[1]), int(sys.argv[2]),
                              float(sys.argv[3]), int(sys.argv[4]),
                              sys.argv[5])
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, p))
    y = (10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2
         + 10 * x[:, 3] + 5 * x[:, 4] + noise * rng.standard_normal(n))
    hdr = ",".join([f"x{i + 1}" for i in range(p)] + ["y"])
    np.savetxt(out, np.column_stack([x, y]), fmt="%.6f", delimiter=",",
               header=hdr, comments="")


if __name__ == "__main__":
    main()
