"""`jingzhi dispatch train|evaluate|activate`: the classifier from the command line.

`train --csv` and `evaluate` work on files only (no database): they are what the benchmarks call, and their
arguments and JSON output are a stable interface. `train --from-cases` reads the city's closed cases and
registers the model in the database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def cmd_train(args: argparse.Namespace) -> int:
    from jingzhi.dispatch.classifier import artifact
    from jingzhi.dispatch.classifier.data import DatasetError, read_csv
    from jingzhi.dispatch.classifier.model import train

    if args.from_cases:
        return _train_from_cases(args)
    if not args.csv or not args.out:
        return _fail("give --csv FILE and --out MODEL_PATH (or --from-cases)")
    try:
        samples = read_csv(args.csv, text_column=args.text_column, label_column=args.label_column, split=args.split)
        model = train(samples, source=f"csv:{args.csv}" + (f" split={args.split}" if args.split else ""))
    except DatasetError as e:
        return _fail(str(e))
    path = artifact.save(model, args.out)
    summary = {"model": str(path), "n": model.metadata["training"]["n"], "labels": model.labels,
               "train_seconds": model.metadata["training"]["train_seconds"],
               "cross_validation": model.metadata["cross_validation"]}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _train_from_cases(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.core.errors import ApplicationError
    from jingzhi.dispatch.registry import model_train_from_cases

    try:
        row = model_train_from_cases(actor=None, level=args.level, activate=args.activate)
    except ApplicationError as e:
        return _fail(str(e.message))
    print(json.dumps({"version": row.version, "path": row.path, "active": row.is_active,
                      "cross_validation": row.metadata.get("cross_validation")}, ensure_ascii=False))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from jingzhi.dispatch.classifier import artifact
    from jingzhi.dispatch.classifier.data import DatasetError, read_csv
    from jingzhi.dispatch.classifier.evaluate import evaluate

    try:
        model = artifact.load(args.model)
        samples = read_csv(args.csv, text_column=args.text_column, label_column=args.label_column, split=args.split,
                           require_two_classes=False)
    except (DatasetError, artifact.ModelFileError) as e:
        return _fail(str(e))
    result = evaluate(model, samples)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"n={result['n']} macro-F1={result['macro_f1']} accuracy={result['accuracy']} "
              f"p50={result['latency_ms_p50']} ms p99={result['latency_ms_p99']} ms")
        for target, row in result["coverage_at_precision"].items():
            print(f"  target precision {target}: coverage {row['coverage']}, precision reached {row['precision']}")
    return 0


def cmd_activate(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.core.errors import ApplicationError
    from jingzhi.dispatch.registry import model_activate, model_register

    try:
        if args.path:
            row = model_register(actor=None, path=args.path, activate=True)
        else:
            from jingzhi.dispatch.models import ClassifierModel

            found = ClassifierModel.objects.filter(version=args.version).first()
            if found is None:
                return _fail(f"no model version {args.version}")
            row = model_activate(actor=None, model=found)
    except ApplicationError as e:
        return _fail(str(e.message))
    print(f"active dispatch model: {row.version}")
    return 0


def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:
    dispatch = sub.add_parser("dispatch", help="the dispatch classifier: train, evaluate, activate")
    actions = dispatch.add_subparsers(dest="dispatch_command", required=True)

    p = actions.add_parser("train", help="train a model on a labelled CSV (or on the city's closed cases)")
    p.add_argument("--csv", help="UTF-8 CSV with a text and a label column")
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="label")
    p.add_argument("--split", help="use only rows whose 'split' column has this value (e.g. train)")
    p.add_argument("--out", help="where to write the model file (a JSON file with its metadata goes beside it)")
    p.add_argument("--from-cases", action="store_true", help="train on closed cases' final categories and register the model")
    p.add_argument("--level", type=int, default=1, help="with --from-cases: category level to predict (1-3)")
    p.add_argument("--activate", action="store_true", help="with --from-cases: make the new model the active one")
    common(p)
    p.set_defaults(func=cmd_train)

    p = actions.add_parser("evaluate", help="figures of a model on a labelled CSV")
    p.add_argument("--csv", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="label")
    p.add_argument("--split", help="use only rows whose 'split' column has this value (e.g. dev)")
    p.add_argument("--json", action="store_true", help="print one JSON line")
    p.set_defaults(func=cmd_evaluate)

    p = actions.add_parser("activate", help="register a model file and make it active, or re-activate a version")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--path", help="a model file written by `jingzhi dispatch train`")
    group.add_argument("--version", help="a registered version (rollback)")
    common(p)
    p.set_defaults(func=cmd_activate)
