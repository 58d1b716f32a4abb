#!/usr/bin/python3
# Writes small.csv, the hand-made panel of the tl-overfit CLI cases: 80
# weekdays from 2026-01-05 in tl-ingest's long form (date,strategy,return).
# DECAY earns N(0.002, 0.006^2) a day before its promotion on day 40
# (2026-03-02) and N(-0.002, 0.006^2) after; STEADY earns N(0.002,
# 0.006^2) throughout; FLAT (never promoted) returns 0.001 every day (zero
# variance).  Seeded; values rounded to 6 decimals so the text is exact.
import numpy as np

rng = np.random.default_rng(7)
days = np.busday_offset("2026-01-05", np.arange(80), roll="forward")
rows = []
for i, d in enumerate(days):
    rows.append((str(d), "DECAY", rng.normal(0.002 if i < 40 else -0.002,
                                             0.006)))
    rows.append((str(d), "STEADY", rng.normal(0.002, 0.006)))
    rows.append((str(d), "FLAT", 0.001))
with open("small.csv", "w") as f:
    f.write("date,strategy,return\n")
    for d, s, x in rows:
        f.write("%s,%s,%.6f\n" % (d, s, x))
