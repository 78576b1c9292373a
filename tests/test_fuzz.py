"""Fuzzing the file readers: mutated IDX files, model files and pictures give a result or one line, never
a traceback, a hang or unbounded memory (see tests/fuzzing.py).  Fixed seeds and input counts keep each
run repeatable; every input has a time limit.  scripts/fuzz_files.py runs the same fuzzer for longer."""

import pytest
from fuzzing import fuzz

READERS = ["idx", "model", "picture"]


def check(results, count):
    assert results["inputs"] == count
    assert results["refused"] > count // 10  # the mutations did reach the checks …
    assert results["accepted"] > 0  # … and some inputs stayed readable
    assert results["failures"] == [], results["failures"][:5]


@pytest.mark.parametrize("reader,count", [("idx", 300), ("model", 100), ("picture", 100)])
def test_a_few_hundred_mutated_files_never_crash_hang_or_blow_up(reader, count):
    check(fuzz(reader, seed=0, count=count), count)


@pytest.mark.slow
@pytest.mark.parametrize("reader", READERS)
def test_thousands_of_mutated_files_never_crash_hang_or_blow_up(reader):
    check(fuzz(reader, seed=1, count=3000), 3000)
