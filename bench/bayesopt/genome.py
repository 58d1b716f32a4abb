"""Genome benchmark for bench/bayesopt-genome.sh (issue 25): two
objectives of a strategy's genome, the return (to maximise) and the
maximum drawdown (to minimise) of `tl-synth --backtest` over one trading
year (250 days) of the world of tl-synth seed 1000, the same fixed
problem for every method and seed.  The genome space is etc/space.json,
the nightly's (10 genes: integers, steps of 0.01, a log scale,
categories).  For each of tl-bayesopt run --objective ret:max --objective
drawdown:min (multi-objective TPE, and --sampler nsga2) and Optuna 3.1's
TPESampler (MOTPE with two directions) and NSGAIISampler, with their
defaults, each calling the same command: the hypervolume, by Optuna's own
WFG, of the trials after 100 of them, over (-ret, drawdown) up to the
reference point (1, 1), i.e. (ret -1: all lost, drawdown 1), which every
evaluation that is not a ruin improves on.  Seeds 1..20 judge (nothing
was tuned on them); --first-seed 101 gives the tuning seeds."""
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
                    run_all, run_tl)

HERE = os.path.dirname(os.path.abspath(__file__))
SPACE = os.path.join(HERE, "..", "..", "etc", "space.json")
WORLD = ["-s", "1000", "--days", "250"]  # tl-synth's world: fixed
REF = (1.0, 1.0)  # (-ret, drawdown): ret -1, drawdown 1
OURS = {"tl-motpe": "tpe", "tl-nsga2": "nsga2"}  # method: --sampler


def backtest_cmd(bindir):
    return [os.path.join(bindir, "tl-synth"), "--backtest", "-"] + WORLD


def evaluate(bindir, params):
    """(-ret, drawdown) of the genome params, as tl-synth prints them."""
    out = subprocess.run(backtest_cmd(bindir), input=json.dumps(params),
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    return -r["ret"], r["drawdown"]


def suggest(t, space):
    """The params of Optuna trial t over the tl-bayesopt space."""
    p = {}
    for name, d in space.items():
        if d["type"] == "categorical":
            p[name] = t.suggest_categorical(name, d["choices"])
        elif d["type"] == "int":
            p[name] = t.suggest_int(name, d["low"], d["high"])
        else:
            p[name] = t.suggest_float(name, d["low"], d["high"],
                                      step=d.get("step"),
                                      log=d.get("log", False))
    return p


def run_optuna(args):
    method, seed, trials, bindir, space = args
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=["minimize", "minimize"],
                                sampler=optuna_mo_sampler(method, seed))
    study.optimize(lambda t: evaluate(bindir, suggest(t, space)),
                   n_trials=trials)
    return method, seed, hv([t.values for t in study.trials
                             if t.values is not None], REF)


def run_ours(args):
    method, seed, trials, bindir, tmp = args
    hist = os.path.join(tmp, "%s-%d.jsonl" % (method, seed))
    run_tl(bindir, hist, ["--space", SPACE, "-n", str(trials), "-s",
                          str(seed), "--sampler", OURS[method],
                          "--objective", "ret:max", "--objective",
                          "drawdown:min", "--"] + backtest_cmd(bindir))
    pts = []
    for r in complete_trials(hist):
        # evaluated again from the params written: guards the plumbing
        # (and the backtest's determinism)
        p = evaluate(bindir, r["params"])
        if p != (-r["values"]["ret"], r["values"]["drawdown"]):
            raise SystemExit("%s seed %d trial %d: %s in the history but "
                             "%s again" % (method, seed, r["trial"],
                                           r["values"], p))
        pts.append(p)
    if len(pts) != trials:
        raise SystemExit("%s seed %d: %d complete trials of %d"
                         % (method, seed, len(pts), trials))
    return method, seed, hv(pts, REF)


def eval_ms(bindir, space, n=50):
    """Median milliseconds of one evaluation (a tl-synth process)."""
    rng = np.random.default_rng(1)
    ts = []
    for _ in range(n):
        p = {k: (d["choices"][int(rng.integers(len(d["choices"])))]
                 if d["type"] == "categorical" else
                 int(rng.integers(d["low"], d["high"] + 1))
                 if d["type"] == "int" else
                 float(math.exp(rng.uniform(math.log(d["low"]),
                                            math.log(d["high"]))))
                 if d.get("log") else
                 round(float(rng.uniform(d["low"], d["high"])), 2))
             for k, d in space.items()}
        t = time.perf_counter()
        evaluate(bindir, p)
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)) * 1e3


def main():
    a = bench_args(100).parse_args()
    print("optuna %s, numpy %s" % (optuna.__version__, np.__version__))
    with open(SPACE) as fp:
        space = json.load(fp)
    print("one evaluation (tl-synth --backtest - %s): median %.1f ms"
          % (" ".join(WORLD), eval_ms(a.bindir, space)))
    methods = ["tl-motpe", "tl-nsga2", "optuna-motpe", "optuna-nsga2"]
    theirs = methods[2:]
    res = {}
    t0 = time.time()
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    with tempfile.TemporaryDirectory(prefix="tl-bo-genome.") as tmp:
        jobs = []
        for seed in seeds:
            jobs += [(run_ours, (m, seed, a.trials, a.bindir, tmp))
                     for m in OURS]
            jobs += [(run_optuna, (m, seed, a.trials, a.bindir, space))
                     for m in theirs]
        for m, seed, h in run_all(jobs, a.workers):
            res.setdefault(m, []).append(h)
    print("genome: %d trials, %d genes, ret:max drawdown:min, reference "
          "(ret -1, drawdown 1), seeds %d..%d, %.0f s"
          % (a.trials, len(space), seeds[0], seeds[-1], time.time() - t0))
    print("%-14s %9s %9s %9s" % ("method", "hv q1", "median", "q3"))
    for m in methods:
        q = np.percentile(res[m], [25, 50, 75])
        print("%-14s %9.4f %9.4f %9.4f" % (m, *q))
    ours = np.median(res["tl-motpe"])
    best = max(np.median(res[m]) for m in theirs)
    print("bench bayesopt-genome: median hypervolume %.4f %s the better of "
          "Optuna's MOTPE and NSGA-II (%.4f)"
          % (ours, ">=" if ours >= best else "<", best))
    print("bench bayesopt-genome: tl-nsga2 against optuna-nsga2: %+.4f"
          % (np.median(res["tl-nsga2"]) - np.median(res["optuna-nsga2"])))


if __name__ == "__main__":
    sys.exit(main())
