"""Pruning benchmark for bench/bayesopt-prune.sh: tl-bayesopt run with
--pruner none and median (and halving, hyperband, for information)
against Optuna 3.1's TPESampler without a pruner and with its default
MedianPruner, on the learning curves of curve.awk (the same
function here in Python; 6 params, 20 steps), seeds 1..20 by default.
Each run goes on until it has spent a budget of steps, --budget (4,000:
what no pruning spends in 200 trials), not a number of trials: the
point of pruning is that a trial costs less, so a pruned run may need
more trials for the same regret, and a cap on trials would count a run
that has steps to spare as one that never gets there.  (Ours runs
--trials trials, 200, and when they fall short of the budget runs again
from the start with proportionally more: a longer run begins with the
same trials.)  After each trial it notes
the regret (true final value f of the complete trial with the best
reported value so far; f's minimum is 0) and the steps spent so far
(intermediate values reported: a pruned trial stops at the step it is
pruned at).  Two views, medians and quartiles over the seeds:
  at 100 trials: the regret and steps after the first 100 trials;
  to a target: the steps each run needs to reach the median regret of
  tl-bayesopt without a pruner after 100 trials (a run that does not
  reach it within the budget counts as infinite), i.e. the steps spent
  "at equal final regret to no pruning"; and the same to the median
  regret of Optuna's TPE + MedianPruner after 100 trials ("for the same
  regret").
The pruners run with Optuna's defaults; seeds 101..120 are the ones
for trying changes on, 1..20 for the figures of tl-bayesopt(1)."""
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
AWK = os.path.join(HERE, "curve.awk")
STEPS = 20
SPACE = {"x%d" % i: {"type": "float", "low": 0, "high": 1} for i in range(6)}


def true_f(x):
    return (4 * (x["x0"] - .35) ** 2 + 4 * (x["x1"] - .6) ** 2 +
            2 * (x["x2"] - .2) ** 2 + 3 * (x["x3"] - .75) ** 2 +
            (x["x4"] - .5) ** 2 +
            .15 * (1 - math.cos(6 * math.pi * (x["x0"] - .35))))


def u(x, t):
    h = math.sin(12.9898 * (x["x0"] + 2 * x["x1"] + 3 * x["x2"] +
                            4 * x["x3"] + 5 * x["x4"] + 6 * x["x5"]) +
                 78.233 * t) * 43758.5453
    return 2 * (h - math.floor(h)) - 1


def curve(x, t):
    a = .5 + x["x5"] + .5 * x["x2"]
    tau = 2 + 6 * x["x5"]
    return true_f(x) + a * math.exp(-(t + 1) / tau) + .005 * u(x, t)


def run_optuna(args):
    method, seed, budget = args
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    steps, trace, best = [0], [], [math.inf, None]
    pruner = (optuna.pruners.MedianPruner() if method == "optuna-median"
              else optuna.pruners.NopPruner())

    def objective(trial):
        x = {k: trial.suggest_float(k, 0, 1) for k in SPACE}
        for t in range(STEPS):
            v = curve(x, t)
            steps[0] += 1
            trial.report(v, t)
            if trial.should_prune():
                trace.append((steps[0], best[1]))
                raise optuna.TrialPruned()
        if v < best[0]:
            best[:] = [v, true_f(x)]
        trace.append((steps[0], best[1]))
        return v

    study = optuna.create_study(
        sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)
    def spent(study, trial):
        if steps[0] >= budget:
            study.stop()

    study.optimize(objective, n_trials=budget, callbacks=[spent])
    return method, seed, trace


def run_ours(args):
    method, seed, trials, budget, bindir, tmp = args
    sp = os.path.join(tmp, "space.json")
    hist = os.path.join(tmp, "%s-%d.jsonl" % (method, seed))
    pruner = method.split("-", 1)[1]
    while True:
        if os.path.exists(hist):
            os.unlink(hist)
        cmd = [os.path.join(bindir, "tl-bayesopt"), "run", "-q",
               "--space", sp, "-H", hist, "-n", str(trials), "-s",
               str(seed), "--pruner", pruner, "--", "awk", "-f", AWK]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        best, bestv, steps, trace = None, math.inf, 0, []
        with open(hist) as fp:
            for line in fp:
                r = json.loads(line)
                steps += len(r.get("intermediate", {}))
                if r["state"] == "complete" and r["value"] < bestv:
                    best, bestv = true_f(r["params"]), r["value"]
                trace.append((steps, best))
        if steps >= budget:
            return method, seed, trace
        trials = trials * budget // steps + 10


def at(trace, n):
    """Regret and steps after the first n trials."""
    s, r = trace[min(n, len(trace)) - 1]
    return (math.inf if r is None else r), s


def to_target(trace, target, budget):
    """Steps spent when the regret first reaches target within budget
    steps, or inf."""
    for s, r in trace:
        if s > budget:
            break
        if r is not None and r <= target:
            return s
    return math.inf


def quartiles(v):
    return np.percentile(np.array(v, dtype=float), [25, 50, 75],
                         method="lower")


def main():
    ap = bench_args(200)
    ap.add_argument("--budget", type=int, default=200 * STEPS)
    a = ap.parse_args()
    print("optuna %s, numpy %s" % (optuna.__version__, np.__version__))
    ours = ["tl-none", "tl-median", "tl-halving", "tl-hyperband"]
    theirs = ["optuna-none", "optuna-median"]
    res = {}
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="tl-bo-prune.") as tmp:
        write_space(tmp, SPACE)
        jobs = []
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            jobs += [(run_optuna, (m, seed, a.budget)) for m in theirs]
            jobs += [(run_ours, (m, seed, a.trials, a.budget, a.bindir,
                                 tmp)) for m in ours]
        for m, seed, trace in run_all(jobs, a.workers):
            res.setdefault(m, []).append(trace)
    print("pruning: trials of %d steps, budget %d steps, seeds %d..%d, "
          "%.0f s" % (STEPS, a.budget, a.first_seed,
                      a.first_seed + a.seeds - 1, time.time() - t0))
    target = float(np.median([at(tr, 100)[0] for tr in res["tl-none"]]))
    target2 = float(np.median([at(tr, 100)[0]
                               for tr in res["optuna-median"]]))
    print("%-14s %28s   %22s   %22s   %22s" % (
        "", "regret at 100 trials", "steps at 100 trials",
        "steps to regret %.4f" % target, "steps to regret %.4f" % target2))
    print("%-14s %8s %9s %9s   %6s %7s %7s   %6s %7s %7s   %6s %7s %7s" % (
        "method", "q1", "median", "q3", "q1", "median", "q3", "q1", "median",
        "q3", "q1", "median", "q3"))
    med = {}
    for m in ours + theirs:
        r = quartiles([at(tr, 100)[0] for tr in res[m]])
        s = quartiles([at(tr, 100)[1] for tr in res[m]])
        g = quartiles([to_target(tr, target, a.budget) for tr in res[m]])
        g2 = quartiles([to_target(tr, target2, a.budget)
                        for tr in res[m]])
        med[m] = (r[1], s[1], g[1], g2[1])
        print("%-14s %8.4f %9.4f %9.4f   %6.0f %7.0f %7.0f   %6.0f %7.0f "
              "%7.0f   %6.0f %7.0f %7.0f" % (m, *r, *s, *g, *g2))
    print("bench bayesopt-prune: to the no-pruning regret %.4f, steps "
          "none/median %.2f (target >= 2); to optuna-median's regret %.4f, "
          "steps median/optuna-median %.2f (target <= 1), Optuna's own "
          "none/median %.2f; at 100 trials, steps none/median %.2f, regret "
          "median %.4f, none %.4f, optuna-median %.4f" % (
              target, med["tl-none"][2] / med["tl-median"][2], target2,
              med["tl-median"][3] / med["optuna-median"][3],
              med["optuna-none"][3] / med["optuna-median"][3],
              med["tl-none"][1] / med["tl-median"][1], med["tl-median"][0],
              med["tl-none"][0], med["optuna-median"][0]))


if __name__ == "__main__":
    sys.exit(main())
