#!/usr/bin/python3
# An independent CSCV (Bailey, Borwein, Lopez de Prado & Zhu 2017) in numpy,
# written for the tl-overfit tests: it shares no code with lib/tl_pbo.c.
# Conventions as METHODS.md section 2 and pypbo: blocks of T//S rows after
# dropping the first T % S, combinations in lexicographic order
# (itertools.combinations), metric = Sharpe ratio (ddof 1) or mean, the
# in-sample winner is the first argmax, omega = average OOS rank / (N + 1),
# logit = ln(omega / (1 - omega)), PBO = share of logits <= 0, degradation
# = OLS of OOS on IS of the winner.
#
# usage: cscv.py [--gen KIND] file.csv S [sharpe|mean]
#        cscv.py --fast file.csv S    (block sums: the bench's reference)
#   --gen writes a seeded test panel (wide CSV) to file.csv first: KIND
#   mixed (96 days x 7, a weak edge: logits vary), noise (480 x 20, no
#   edge: PBO near 0.5) or edge (noise, and one column with a real edge:
#   PBO near 0).
# Its output for the stored panels is kept in *.expected (the CLI case
# compares with a tolerance of 1e-9); rerun this to regenerate them.
import itertools
import json
import sys

import numpy as np

args = sys.argv[1:]
if args and args[0] == "--gen":
    kind, args = args[1], args[2:]
    rng = np.random.default_rng(20260108)
    t, n, edge = {"mixed": (96, 7, 0.001), "noise": (480, 20, 0.0),
                  "edge": (480, 20, 0.003)}[kind]
    x = rng.normal(0.0, 0.01, size=(t, n))
    x[:, 2] += edge             # column C2: the real edge, if any
    x = np.round(x, 6)          # the CSV text is then exact for both
    with open(args[0], "w") as f:
        f.write("date," + ",".join("C%d" % j for j in range(n)) + "\n")
        d = np.datetime64("2026-01-05")
        for i in range(t):
            f.write(str(d + i) + "," + ",".join("%.6f" % v for v in x[i])
                    + "\n")

fast = bool(args) and args[0] == "--fast"
if fast:
    args = args[1:]
path, s = args[0], int(args[1])
metric = args[2] if len(args) > 2 else "sharpe"
m = np.genfromtxt(path, delimiter=",", skip_header=1)[:, 1:]
t, n = m.shape
m = m[t % s:]
blocks = np.array_split(m, s)


def perf(rows):
    if metric == "mean":
        return rows.mean(axis=0)
    return rows.mean(axis=0) / rows.std(axis=0, ddof=1)


logits, is_best, oos_best = [], [], []
if fast:    # per-block sums; a combination adds S/2 of them
    bs = np.array([b.sum(axis=0) for b in blocks])
    bq = np.array([(b * b).sum(axis=0) for b in blocks])
    k = len(blocks[0]) * (s // 2)
    for comb in itertools.combinations(range(s), s // 2):
        c = list(comb)
        su, sq = bs[c].sum(axis=0), bq[c].sum(axis=0)
        ou, oq = bs.sum(axis=0) - su, bq.sum(axis=0) - sq
        r = su / k / np.sqrt((sq - su * su / k) / (k - 1))
        rb = ou / k / np.sqrt((oq - ou * ou / k) / (k - 1))
        j = int(np.argmax(r))
        rank = (rb < rb[j]).sum() + ((rb == rb[j]).sum() + 1) / 2.0
        logits.append(np.log(rank / (n + 1) / (1 - rank / (n + 1))))
        is_best.append(r[j])
        oos_best.append(rb[j])
for comb in ([] if fast else itertools.combinations(range(s), s // 2)):
    ins = np.vstack([blocks[b] for b in comb])
    oos = np.vstack([blocks[b] for b in range(s) if b not in comb])
    r, rb = perf(ins), perf(oos)
    k = int(np.argmax(r))
    rank = (rb < rb[k]).sum() + ((rb == rb[k]).sum() + 1) / 2.0
    w = rank / (n + 1)
    logits.append(np.log(w / (1 - w)))
    is_best.append(r[k])
    oos_best.append(rb[k])
lg, x, y = np.array(logits), np.array(is_best), np.array(oos_best)
slope, intercept = np.polyfit(x, y, 1)
print(json.dumps({
    "combinations": len(lg),
    "pbo": float((lg <= 0).mean()),
    "logit_mean": float(lg.mean()),
    "logit_median": float(np.median(lg)),
    "slope": float(slope),
    "intercept": float(intercept),
    "r2": float(np.corrcoef(x, y)[0, 1] ** 2),
    "p_loss": float((y < 0).mean()),
}))
