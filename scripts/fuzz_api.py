"""Fuzz the explorer's HTTP API for longer than the test suite does, and print JSON results.

    PYTHONPATH=. python scripts/fuzz_api.py --minutes 10 --seed 1

Random variations of valid bodies go to every POST route of an explorer started in this process
(see tests/api_fuzzing.py); a failure is a 5xx, an answer that is not JSON, an error without a
message, or no answer within 30 s.  The exit status is 1 if anything failed.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from api_fuzzing import fuzz, start_fuzz_server  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--requests", type=int, help="stop after this many requests")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = start_fuzz_server(Path(folder) / "none")
        try:
            results = fuzz(server, args.minutes * 60, seed=args.seed, limit=args.requests)
        finally:
            server.close()
    failed = bool(results["failures"])
    results["failures"] = results["failures"][:20]
    print(json.dumps({"seed": args.seed, "minutes": args.minutes, **results}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
