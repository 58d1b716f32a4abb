"""What the benchmarks of bench/bayesopt-*.sh share: their options."""
import argparse


def bench_args(trials):
    """The options every benchmark takes: bindir, --trials (default
    trials), --seeds 20 from --first-seed 1, --workers 2."""
    ap = argparse.ArgumentParser()
    ap.add_argument("bindir")
    ap.add_argument("--trials", type=int, default=trials)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    return ap


def run_all(jobs, workers):
    """Run jobs, (function, argument) pairs, on workers processes: their
    results, in the order they finish."""
    import concurrent.futures as cf
    with cf.ProcessPoolExecutor(max_workers=workers) as ex:
        return [fu.result() for fu in
                cf.as_completed([ex.submit(f, x) for f, x in jobs])]


def write_space(tmp, space):
    """space as tmp/space.json, for tl-bayesopt --space."""
    import json
    import os
    with open(os.path.join(tmp, "space.json"), "w") as fp:
        json.dump(space, fp)


def hv(points, ref):
    """The hypervolume (Optuna's own WFG) that points, each a tuple of
    values to minimise, dominate up to ref; the points not strictly
    below ref in every value add nothing."""
    import numpy as np
    from optuna._hypervolume import WFG
    ref = np.asarray(ref, dtype=float)
    p = np.array([q for q in points if all(a < b for a, b in zip(q, ref))])
    return 0.0 if len(p) == 0 else float(WFG().compute(p, ref))


def optuna_mo_sampler(method, seed):
    """Optuna's sampler of a multi-objective method, with its defaults:
    NSGAIISampler for optuna-nsga2, else TPESampler (MOTPE when the
    study has several directions)."""
    import optuna
    return (optuna.samplers.NSGAIISampler(seed=seed)
            if method == "optuna-nsga2"
            else optuna.samplers.TPESampler(seed=seed))


def run_tl(bindir, hist, args):
    """Run `tl-bayesopt run -q -H hist args` from an empty history (one
    left by an earlier run is removed): its standard output."""
    import os
    import subprocess
    if os.path.exists(hist):
        os.unlink(hist)
    cmd = [os.path.join(bindir, "tl-bayesopt"), "run", "-q", "-H",
           hist] + args
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout


def complete_trials(hist):
    """The records of the complete trials of history hist, in order."""
    import json
    with open(hist) as fp:
        return [r for r in map(json.loads, fp) if r["state"] == "complete"]
