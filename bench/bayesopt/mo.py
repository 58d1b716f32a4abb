"""Multi-objective benchmark for bench/bayesopt-mo.sh: the hypervolume
(reference point (1.1, 11), computed here by Optuna's own WFG for every
method) of the complete trials after 100 trials on ZDT1 and ZDT2 with 5
variables, seeds 1..20 by default, for tl-bayesopt run --objective
(multi-objective TPE, and --sampler nsga2) and Optuna 3.1's
NSGAIISampler and TPESampler (MOTPE when the study has two directions),
each with its defaults.
Nothing was tuned on these seeds.  First the speed: one suggest over a
1,000-trial history against Optuna's ask+tell (--no-quality: only
that)."""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import optuna

from common import (bench_args, complete_trials, hv, optuna_mo_sampler,
                    run_all, run_tl, write_space)

HERE = os.path.dirname(os.path.abspath(__file__))
AWK = os.path.join(HERE, "zdt.awk")
NVAR = 5
REF = np.array([1.1, 11.0])
OURS = {"tl-motpe": "tpe", "tl-nsga2": "nsga2"}  # method: --sampler
SPACE = {"x%d" % i: {"type": "float", "low": 0, "high": 1}
         for i in range(NVAR)}


def zdt(name, x):
    f1 = x[0]
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    h = 1 - (f1 / g) ** 2 if name == "zdt2" else 1 - math.sqrt(f1 / g)
    return f1, g * h


def run_optuna(args):
    func, method, seed, trials = args
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=["minimize", "minimize"],
                                sampler=optuna_mo_sampler(method, seed))
    study.optimize(lambda t: zdt(func, [t.suggest_float("x%d" % i, 0, 1)
                                        for i in range(NVAR)]),
                   n_trials=trials)
    return func, method, seed, hv([t.values for t in study.trials
                                   if t.values is not None], REF)


def run_ours(args):
    func, method, seed, trials, bindir, tmp = args
    hist = os.path.join(tmp, "%s-%s-%d.jsonl" % (func, method, seed))
    run_tl(bindir, hist, ["--space", os.path.join(tmp, "space.json"), "-n",
                          str(trials), "-s", str(seed), "--sampler",
                          OURS[method], "--objective", "f1:min",
                          "--objective", "f2:min", "--", "awk", "-v",
                          "f=" + func, "-f", AWK])
    # recomputed from the params written: guards the plumbing
    pts = [zdt(func, [r["params"]["x%d" % i] for i in range(NVAR)])
           for r in complete_trials(hist)]
    return func, method, seed, hv(pts, REF)


def speed(a, tmp, n=1000, reps=5):
    """Median seconds of one tl-bayesopt suggest over an n-trial ZDT1
    history against one ask+tell of Optuna's MOTPE on a study holding the
    same n trials."""
    rng = np.random.default_rng(1)
    X = rng.random((n, NVAR))
    hist = os.path.join(tmp, "speed.jsonl")
    with open(hist, "w") as fp:
        for i, x in enumerate(X):
            f = zdt("zdt1", list(x))
            fp.write(json.dumps({"trial": i, "params": {
                "x%d" % j: float(x[j]) for j in range(NVAR)},
                "values": {"f1": f[0], "f2": f[1]},
                "state": "complete"}) + "\n")
    cmd = [os.path.join(a.bindir, "tl-bayesopt"), "suggest", "-q",
           "--space", os.path.join(tmp, "space.json"), "-H", hist,
           "--objective", "f1:min", "--objective", "f2:min"]
    ours = []
    for i in range(reps):
        t = time.perf_counter()
        subprocess.run(cmd + ["-s", str(i + 1)], check=True,
                       stdout=subprocess.DEVNULL)
        ours.append(time.perf_counter() - t)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dist = {"x%d" % j: optuna.distributions.FloatDistribution(0, 1)
            for j in range(NVAR)}
    theirs = []
    for i in range(reps):
        study = optuna.create_study(
            directions=["minimize", "minimize"],
            sampler=optuna.samplers.TPESampler(seed=i + 1))
        study.add_trials([optuna.trial.create_trial(
            params={"x%d" % j: float(x[j]) for j in range(NVAR)},
            distributions=dist, values=list(zdt("zdt1", list(x))))
            for x in X])
        t = time.perf_counter()
        tr = study.ask()
        x = [tr.suggest_float("x%d" % j, 0, 1) for j in range(NVAR)]
        study.tell(tr, list(zdt("zdt1", x)))
        theirs.append(time.perf_counter() - t)
    mo, mt = float(np.median(ours)), float(np.median(theirs))
    print("speed at %d trials: tl-bayesopt suggest median %.1f ms, "
          "optuna MOTPE ask+tell median %.1f ms" % (n, mo * 1e3, mt * 1e3))
    print("bench bayesopt-mo: speed ratio %.3f (ours/optuna, target <= "
          "0.100)" % (mo / mt))


def main():
    ap = bench_args(100)
    ap.add_argument("--no-quality", action="store_true")
    a = ap.parse_args()
    print("optuna %s, numpy %s" % (optuna.__version__, np.__version__))
    methods = ["tl-motpe", "tl-nsga2", "optuna-motpe", "optuna-nsga2"]
    theirs = methods[2:]
    res = {}
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="tl-bo-mo.") as tmp:
        write_space(tmp, SPACE)
        speed(a, tmp)
        if a.no_quality:
            return 0
        jobs = []
        for func in ("zdt1", "zdt2"):
            for seed in range(a.first_seed, a.first_seed + a.seeds):
                jobs += [(run_ours, (func, m, seed, a.trials, a.bindir,
                                     tmp)) for m in OURS]
                jobs += [(run_optuna, (func, m, seed, a.trials))
                         for m in theirs]
        for func, m, seed, h in run_all(jobs, a.workers):
            res.setdefault((func, m), []).append(h)
    print("multi-objective: %d trials, %d variables, reference (1.1, 11), "
          "seeds %d..%d, %.0f s" % (a.trials, NVAR, a.first_seed,
                                    a.first_seed + a.seeds - 1,
                                    time.time() - t0))
    print("%-6s %-14s %9s %9s %9s" % ("func", "method", "hv q1", "median",
                                      "q3"))
    wins = 0
    for func in ("zdt1", "zdt2"):
        for m in methods:
            q = np.percentile(res[(func, m)], [25, 50, 75])
            print("%-6s %-14s %9.4f %9.4f %9.4f" % (func, m, *q))
        ours = np.median(res[(func, "tl-motpe")])
        best = max(np.median(res[(func, m)]) for m in theirs)
        wins += ours >= best
    print("bench bayesopt-mo: %d/2 functions with median hypervolume >= "
          "the better of Optuna's MOTPE and NSGA-II" % wins)
    print("bench bayesopt-mo: tl-nsga2 against optuna-nsga2: %s" % ", ".join(
        "%s %+.4f" % (f, np.median(res[(f, "tl-nsga2")]) -
                      np.median(res[(f, "optuna-nsga2")]))
        for f in ("zdt1", "zdt2")))


if __name__ == "__main__":
    sys.exit(main())
