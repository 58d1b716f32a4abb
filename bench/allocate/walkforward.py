#!/usr/bin/python3
"""Walk-forward test of tl-allocate on tl-synth returns with planted good
and decaying strategies: every STEP days, fit on the last WINDOW days
(nothing later is visible: the input is cut at the fit date), hold the
weights for the next STEP days, and compare the out-of-sample Sharpe
ratio (annualised, daily returns x 252) of each method with equal
weight.

usage: walkforward.py BINDIR RETURNS.csv [WINDOW STEP]
prints one line per method: "method sharpe ann_return ann_vol"
"""
import csv
import json
import math
import subprocess
import sys

bindir, path = sys.argv[1], sys.argv[2]
window = int(sys.argv[3]) if len(sys.argv) > 3 else 120
step = int(sys.argv[4]) if len(sys.argv) > 4 else 21
rows = list(csv.DictReader(open(path)))
dates = sorted({r["date"] for r in rows})
ret = {}
for r in rows:
    ret.setdefault(r["date"], {})[r["strategy"]] = float(r["return"])
methods = [
    ("equal", ["-m", "equal"]),
    ("min-variance", ["-m", "min-variance", "--max-weight", "0.25"]),
    ("max-sharpe", ["-m", "max-sharpe", "-r", "shrunk", "--max-weight", "0.1"]),
    ("mean-variance", ["-m", "mean-variance", "-r", "shrunk",
                       "--risk-aversion", "50", "--max-weight", "0.1"]),
    ("erc", ["-m", "erc"]),
    ("hrp", ["-m", "hrp"]),
]
oos = {m: [] for m, _ in methods}
for start in range(window, len(dates) - 1, step):
    fit = set(dates[start - window:start])
    text = "date,strategy,return\n" + "".join(
        "%s,%s,%s\n" % (r["date"], r["strategy"], r["return"])
        for r in rows if r["date"] in fit)
    hold = dates[start:start + step]
    for name, args in methods:
        p = subprocess.run([bindir + "/tl-allocate", "-q", "-F", "csv"] +
                           args + ["-"], input=text, capture_output=True,
                           text=True)
        if p.returncode != 0:
            sys.exit("walkforward: %s at %s: %s" % (name, dates[start],
                                                   p.stderr.strip()))
        w = {j["strategy"]: j["weight"] for j in map(json.loads,
                                                   p.stdout.splitlines())}
        for d in hold:
            # a strategy without a row that day made nothing (no trade)
            oos[name].append(sum(wt * ret[d].get(s, 0.0)
                                 for s, wt in w.items()))
for name, _ in methods:
    x = oos[name]
    m = sum(x) / len(x)
    sd = math.sqrt(sum((v - m) ** 2 for v in x) / (len(x) - 1))
    print("%s %.3f %.4f %.4f %d" % (name, m / sd * math.sqrt(252), m * 252,
                                    sd * math.sqrt(252), len(x)))
