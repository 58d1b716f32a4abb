"""Optuna 3.1's FanovaImportanceEvaluator on the histories of
bench/bayesopt-importance.sh, for comparison: reads the space (the
tl-bayesopt format) and one history per seed, prints "seed s1 s2 ..." a
line, the shares in the order of the space's params.

usage: importance.py space.json seed:history.jsonl ...
"""
import json
import sys

import optuna
from optuna.distributions import (CategoricalDistribution,
                                  FloatDistribution, IntDistribution)
from optuna.importance import FanovaImportanceEvaluator


def distributions(space):
    out = {}
    for name, p in space.items():
        if p["type"] == "float":
            out[name] = FloatDistribution(p["low"], p["high"],
                                          log=p.get("log", False))
        elif p["type"] == "int":
            out[name] = IntDistribution(p["low"], p["high"],
                                        log=p.get("log", False))
        else:
            out[name] = CategoricalDistribution(p["choices"])
    return out


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with open(sys.argv[1]) as f:
        space = json.load(f)
    dists = distributions(space)
    for arg in sys.argv[2:]:
        seed, path = arg.split(":", 1)
        study = optuna.create_study()
        with open(path) as f:
            for line in f:
                t = json.loads(line)
                study.add_trial(optuna.trial.create_trial(
                    params=t["params"], distributions=dists,
                    value=t["value"]))
        imp = optuna.importance.get_param_importances(
            study, evaluator=FanovaImportanceEvaluator(seed=int(seed)))
        print(seed, " ".join("%.4f" % imp[n] for n in space))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
