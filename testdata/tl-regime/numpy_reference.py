#!/usr/bin/python3
# Independent reference for tests/unit/test_tl_hmm.c (numpy_reference_*):
# log-likelihood, filtered P(s_t | x_1..t), smoothed P(s_t | x_1..T) and
# the Viterbi path of a fixed 3-state, 2-feature Gaussian HMM on 12
# fixed observations, with diagonal and with full covariances.  Written
# from the textbook recursions (Rabiner 1989) in plain log space with
# numpy, sharing no code with lib/tl_hmm.c.  Run once:
#   /usr/bin/python3 testdata/tl-regime/numpy_reference.py
# and its output was pasted into the test (numpy 1.24.2, Debian 12).
import numpy as np

pi = np.array([0.5, 0.3, 0.2])
A = np.array([[0.90, 0.07, 0.03], [0.05, 0.90, 0.05], [0.02, 0.08, 0.90]])
mu = np.array([[-1.27, 2.385], [0.1, 1.5], [0.8, 0.9]])
var = np.array([[0.64, 0.49], [0.25, 0.36], [0.3, 0.2]])
covs = np.array([[[0.64, 0.21], [0.21, 0.49]],
                 [[0.25, -0.08], [-0.08, 0.36]],
                 [[0.3, 0.05], [0.05, 0.2]]])
X = np.array([[-1.1, 2.2], [-0.9, 2.6], [-1.5, 2.0], [0.2, 1.4],
              [0.05, 1.7], [-0.3, 1.2], [0.9, 0.8], [0.7, 1.1],
              [1.2, 0.6], [0.3, 1.3], [-1.0, 2.4], [0.85, 0.95]])


def logpdf(x, m, c):
    d = x - m
    sign, ld = np.linalg.slogdet(c)
    return -0.5 * (len(x) * np.log(2 * np.pi) + ld + d @ np.linalg.solve(c, d))


def run(name, cov):
    T, K = len(X), len(pi)
    lb = np.array([[logpdf(X[t], mu[j], cov[j]) for j in range(K)]
                   for t in range(T)])
    la = np.zeros((T, K))
    la[0] = np.log(pi) + lb[0]
    for t in range(1, T):
        for j in range(K):
            la[t, j] = np.logaddexp.reduce(la[t - 1] + np.log(A[:, j])) + lb[t, j]
    lp = np.logaddexp.reduce(la[-1])
    lbk = np.zeros((T, K))
    for t in range(T - 2, -1, -1):
        for i in range(K):
            lbk[t, i] = np.logaddexp.reduce(np.log(A[i]) + lb[t + 1] + lbk[t + 1])
    filt = np.exp(la - np.logaddexp.reduce(la, axis=1)[:, None])
    post = np.exp(la + lbk - lp)
    d = np.zeros((T, K)); bp = np.zeros((T, K), int)
    d[0] = np.log(pi) + lb[0]
    for t in range(1, T):
        s = d[t - 1][:, None] + np.log(A)
        bp[t] = s.argmax(0); d[t] = s.max(0) + lb[t]
    path = [int(d[-1].argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(bp[t, path[-1]]))
    path.reverse()
    print(f"/* {name} */")
    print(f"loglik {lp!r}")
    print("filtered", ", ".join(repr(v) for v in filt.ravel()))
    print("smoothed", ", ".join(repr(v) for v in post.ravel()))
    print("viterbi", path)


run("diagonal", np.array([np.diag(v) for v in var]))
run("full", covs)
