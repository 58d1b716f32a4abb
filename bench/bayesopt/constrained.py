"""Constrained benchmark for bench/bayesopt-constrained.sh: the best
feasible value after 100 trials on the toy problem of Gramacy et al.
(2016) (best feasible about 0.5998) and Branin on the disk of Gelbart et
al. (2014) (best feasible 0.397887, at (pi, 2.275)), seeds 1..20 by
default, for tl-bayesopt run (constraints in the objective's output) and
Optuna 3.1's TPESampler with constraints_func, each with its defaults;
and the number of runs whose reported best was infeasible (must be 0).
Nothing was tuned on these seeds."""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import optuna

from common import bench_args, run_all, write_space

HERE = os.path.dirname(os.path.abspath(__file__))
AWK = os.path.join(HERE, "constrained.awk")
FUNCS = {
    "gramacy": ({"x1": (0, 1), "x2": (0, 1)}, 0.5998),
    "branin-disk": ({"x1": (-5, 10), "x2": (0, 15)}, 0.397887),
}


def problem(name, x1, x2):
    if name == "gramacy":
        c1 = (1.5 - x1 - 2 * x2 -
              math.sin(2 * math.pi * (x1 ** 2 - 2 * x2)) / 2)
        return x1 + x2, [c1, x1 ** 2 + x2 ** 2 - 1.5]
    v = ((x2 - 5.1 / (4 * math.pi ** 2) * x1 ** 2 + 5 / math.pi * x1 - 6)
         ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10)
    return v, [(x1 - 2.5) ** 2 + (x2 - 7.5) ** 2 - 50]


def feasible(c):
    return all(v <= 0 for v in c)


def run_optuna(args):
    name, seed, trials = args
    box, _ = FUNCS[name]
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(t):
        v, c = problem(name, *(t.suggest_float(k, *box[k])
                               for k in ("x1", "x2")))
        t.set_user_attr("c", c)
        return v

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(
        seed=seed, constraints_func=lambda t: t.user_attrs["c"]))
    study.optimize(objective, n_trials=trials)
    vals = [t.value for t in study.trials
            if t.value is not None and feasible(t.user_attrs["c"])]
    return name, "optuna-tpe", seed, min(vals, default=math.inf), 0


def run_ours(args):
    name, seed, trials, bindir, tmp = args
    hist = os.path.join(tmp, "%s-%d.jsonl" % (name, seed))
    if os.path.exists(hist):
        os.unlink(hist)
    cmd = [os.path.join(bindir, "tl-bayesopt"), "run", "-q", "--space",
           os.path.join(tmp, name + ".json"), "-H", hist, "-n",
           str(trials), "-s", str(seed), "--", "awk", "-v", "f=" + name,
           "-f", AWK]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    best = math.inf
    with open(hist) as fp:
        for line in fp:
            r = json.loads(line)
            if r["state"] == "complete":
                # recomputed from the params written: guards the plumbing
                v, c = problem(name, r["params"]["x1"], r["params"]["x2"])
                if feasible(c):
                    best = min(best, v)
    rep = json.loads(out)["params"]
    bad = int(not feasible(problem(name, rep["x1"], rep["x2"])[1]))
    return name, "tl-bayesopt", seed, best, bad


def main():
    a = bench_args(100).parse_args()
    print("optuna %s, numpy %s" % (optuna.__version__, np.__version__))
    res, bad = {}, 0
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="tl-bo-cons.") as tmp:
        for name, (box, _) in FUNCS.items():
            write_space(tmp, {k: {"type": "float", "low": lo, "high": hi}
                              for k, (lo, hi) in box.items()})
            os.rename(os.path.join(tmp, "space.json"),
                      os.path.join(tmp, name + ".json"))
        jobs = []
        for name in FUNCS:
            for seed in range(a.first_seed, a.first_seed + a.seeds):
                jobs.append((run_optuna, (name, seed, a.trials)))
                jobs.append((run_ours, (name, seed, a.trials, a.bindir,
                                        tmp)))
        for name, m, seed, best, b in run_all(jobs, a.workers):
            res.setdefault((name, m), []).append(best)
            bad += b
    print("constrained: %d trials, seeds %d..%d, %.0f s" % (
        a.trials, a.first_seed, a.first_seed + a.seeds - 1,
        time.time() - t0))
    print("%-12s %-12s %10s %10s %10s %10s" % (
        "problem", "sampler", "best q1", "median", "q3", "optimum"))
    wins = 0
    for name, (_, opt) in FUNCS.items():
        for m in ("tl-bayesopt", "optuna-tpe"):
            q = np.percentile(res[(name, m)], [25, 50, 75])
            print("%-12s %-12s %10.4f %10.4f %10.4f %10.4f" % (
                name, m, *q, opt))
        wins += (np.median(res[(name, "tl-bayesopt")]) <=
                 np.median(res[(name, "optuna-tpe")]))
    print("bench bayesopt-constrained: %d/2 problems with median best "
          "feasible <= Optuna's; %d infeasible bests reported" % (wins, bad))


if __name__ == "__main__":
    sys.exit(main())
