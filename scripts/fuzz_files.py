"""Fuzz digitnet's file readers for longer than the test suite does, and print JSON results.

    PYTHONPATH=. python scripts/fuzz_files.py --inputs 20000 --seed 1
    PYTHONPATH=. python scripts/fuzz_files.py --readers model --minutes 10

Each reader (IDX, model file, picture) gets mutated copies of valid files; a failure is any
exception other than digitnet's one-line errors, an input that takes over 5 s, or one that
allocates over 200 MB (see tests/fuzzing.py).  The exit status is 1 if anything failed.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzzing import READERS, fuzz  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", default=",".join(READERS), help=f"comma-separated ({', '.join(READERS)})")
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs per reader (default 10,000)")
    parser.add_argument("--minutes", type=float, help="stop each reader after this long")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    failed = False
    for reader in args.readers.split(","):
        results = fuzz(reader, seed=args.seed, count=args.inputs, budget=args.minutes * 60 if args.minutes else None)
        results["failures"] = results["failures"][:20]
        failed |= bool(results["failures"])
        print(json.dumps(results), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
