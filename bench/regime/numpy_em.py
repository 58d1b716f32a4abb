#!/usr/bin/python3
# The same Baum-Welch (scaled forward-backward, diagonal Gaussians) as
# lib/tl_hmm.c, written the usual way in numpy, for bench/regime.sh: it
# runs a fixed number of EM iterations from one k-means-free start and
# prints the seconds per iteration.  hmmlearn is not packaged in Debian;
# this is what a numpy user would write instead.
# usage: numpy_em.py file.csv iterations
import csv
import sys
import time

import numpy as np


def estep(X, pi, A, mu, var):
    lb = -0.5 * (np.log(2 * np.pi * var)[None] +
                 (X[:, None, :] - mu[None]) ** 2 / var[None]).sum(2)
    mx = lb.max(1, keepdims=True)
    b = np.exp(lb - mx)
    T, K = b.shape
    al = np.zeros((T, K))
    c = np.zeros(T)
    a = pi * b[0]
    c[0] = a.sum()
    al[0] = a / c[0]
    for t in range(1, T):
        a = (al[t - 1] @ A) * b[t]
        c[t] = a.sum()
        al[t] = a / c[t]
    be = np.ones((T, K))
    xi = np.zeros((K, K))
    for t in range(T - 2, -1, -1):
        tmp = b[t + 1] * be[t + 1] / c[t + 1]
        be[t] = A @ tmp
        xi += np.outer(al[t], tmp)
    return np.log(c).sum() + mx.sum(), al * be, xi * A


def mstep(X, g, xi):
    w = g.sum(0)
    mu = (g.T @ X) / w[:, None]
    var = np.array([(g[:, k:k + 1] * (X - mu[k]) ** 2).sum(0) / w[k]
                    for k in range(len(w))]) + 1e-4
    return g[0], xi / xi.sum(1, keepdims=True), mu, var


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    cols = ["ret", "vol", "spread", "volume"]
    X = np.array([[float(r[c]) for c in cols] for r in rows])
    X = (X - X.mean(0)) / X.std(0)
    n = int(sys.argv[2])
    K = 3
    pi = np.ones(K) / K
    A = np.full((K, K), 0.05) + np.eye(K) * 0.85
    mu = X[[0, len(X) // 3, 2 * len(X) // 3]]
    var = np.ones((K, X.shape[1]))
    t0 = time.perf_counter()
    for _ in range(n):
        lp, g, xi = estep(X, pi, A, mu, var)
        pi, A, mu, var = mstep(X, g, xi)
    print("%.6f" % ((time.perf_counter() - t0) / n))


main()
