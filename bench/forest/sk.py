#!/usr/bin/env python3
"""scikit-learn's RandomForestRegressor on the bench CSVs: fit time,
predict time and test R^2, as one line of JSON.

usage: sk.py TRAIN.csv TEST.csv TREES MTRY MIN_LEAF THREADS
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestRegressor


def load(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1]


def main():
    train, test = sys.argv[1], sys.argv[2]
    trees, mtry, leaf, threads = map(int, sys.argv[3:7])
    t0 = time.perf_counter()
    x, y = load(train)
    xt, yt = load(test)
    t1 = time.perf_counter()
    rf = RandomForestRegressor(n_estimators=trees, max_features=mtry,
                               min_samples_leaf=leaf, n_jobs=threads,
                               random_state=1)
    rf.fit(x, y)
    t2 = time.perf_counter()
    p = rf.predict(xt)
    t3 = time.perf_counter()
    r2 = 1 - np.sum((yt - p) ** 2) / np.sum((yt - yt.mean()) ** 2)
    print(json.dumps({"tool": "sklearn", "load": t1 - t0, "fit": t2 - t1,
                      "predict": t3 - t2, "test_r2": r2}))


if __name__ == "__main__":
    main()
