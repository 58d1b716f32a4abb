#!/usr/bin/python3
"""Writes the churn inputs of tests/cli/tl-allocate (run once; the files
are committed).  60 weekdays from 2026-01-05 to 2026-03-27, seeded
(random.Random(11), gauss draws: a common factor plus noise).

churn.csv: core1..core4 every day; late starts on day 35 (25 days);
paused has no rows on days 20-29; stopped ends on day 39 (not live on
2026-03-27); retired trades every day (retired by retired.jsonl);
newbie has the last 8 days (too few).

gaps.csv: a, b, c every day; d from day 45; e only on the even days
from day 30, f only on the odd days from day 30 (e and f never share a
day): no day has all six, and e, f share none.

pairs.csv: a, b every day; c misses every third day, d the days after
those: 20 days with all four, each pair sharing 20 or more.

crossed.csv: x, y, z on overlapping stretches (x-y days 0-19, y-z 20-39,
x-z 40-59) with correlations that no covariance matrix has (x-y and y-z
strongly positive, x-z strongly negative), all three together only on
the last 2 days."""
import datetime as dt
import random

rng = random.Random(11)
d, dates = dt.date(2026, 1, 5), []
while len(dates) < 60:
    if d.weekday() < 5:
        dates.append(d.isoformat())
    d += dt.timedelta(days=1)
T = len(dates)
F = [rng.gauss(0, 0.006) for _ in range(T)]


def series(mu, beta, idio):
    return [mu + beta * F[t] + rng.gauss(0, idio) for t in range(T)]


def write(name, cols, days):
    with open(name, "w") as f:
        f.write("date,strategy,return\n")
        for t in range(T):
            for s in sorted(cols):
                if t in days[s]:
                    f.write("%s,%s,%s\n" % (dates[t], s,
                                             repr(round(cols[s][t], 7))))


# (mean, factor loading, noise) of the series, drawn in this order
SIX = [(0.0010, 1.0, 0.004), (0.0006, 0.6, 0.007), (0.0004, 0.3, 0.005),
       (0.0008, 0.8, 0.009), (0.0012, 0.5, 0.006), (0.0005, 0.7, 0.005)]


def draw(names, params):
    return {s: series(*p) for s, p in zip(names, params)}


every = set(range(T))
cols = draw(["core1", "core2", "core3", "core4", "late", "paused",
             "stopped", "retired", "newbie"],
            SIX + [(0.0002, 0.9, 0.006), (-0.0004, 0.4, 0.008),
                   (0.0020, 0.2, 0.010)])
days = {s: every for s in cols}
days["late"] = set(range(35, T))
days["paused"] = every - set(range(20, 30))
days["stopped"] = set(range(0, 40))
days["newbie"] = set(range(T - 8, T))
write("churn.csv", cols, days)

cols = draw("abcdef", SIX)
days = {s: every for s in cols}
days["d"] = set(range(45, T))
days["e"] = set(t for t in range(30, T) if t % 2 == 0)
days["f"] = set(t for t in range(30, T) if t % 2 == 1)
write("gaps.csv", cols, days)

cols = draw("abcd", SIX)
days = {s: every for s in cols}
days["c"] = set(t for t in range(T) if t % 3 != 0)
days["d"] = set(t for t in range(T) if t % 3 != 1)
write("pairs.csv", cols, days)

G = [rng.gauss(0, 0.01) for _ in range(T)]
cols = {
    "x": [G[t] + rng.gauss(0, 0.001) for t in range(T)],
    "y": [G[t] + rng.gauss(0, 0.001) if t < 20 else -G[t] +
          rng.gauss(0, 0.001) for t in range(T)],
    "z": [-G[t] + rng.gauss(0, 0.001) for t in range(T)],
}
days = {
    "x": set(range(0, 20)) | set(range(40, T)),
    "y": set(range(0, 40)) | set(range(T - 2, T)),
    "z": set(range(20, T)),
}
write("crossed.csv", cols, days)
