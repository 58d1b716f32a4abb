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
