"""Fuzzing the file readers: mutated IDX files, model files and pictures give a result or one line, never
a traceback, a hang or unbounded memory.  A fixed seed and a time budget keep each run repeatable and
short; scripts/fuzz_files.py runs the same fuzzer for longer."""

import pytest

from fuzzing import fuzz


@pytest.mark.parametrize("reader", ["idx", "model", "picture"])
def test_mutated_files_never_crash_hang_or_blow_up(reader):
    results = fuzz(reader, seed=0, count=1500, budget=4)
    assert results["inputs"] >= 300, results          # enough inputs ran in the time budget
    assert results["refused"] > 0                      # the mutations did reach the checks
    assert results["failures"] == [], results["failures"][:5]
