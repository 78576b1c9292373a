"""Ruled lines found and wiped on hand-built ink maps: several parallel lines across the picture go,
one long bar stays, a stroke that crosses the lines keeps its ink, and so does a stroke lying along
a line when it is thicker or stronger than the line."""

import numpy as np

from digitnet.ruled_lines import without_ruled_lines

ROWS, COLS = np.mgrid[0:300, 0:300]
STROKE = (np.abs(COLS - 150) < 5) & (ROWS > 60) & (ROWS < 240)  # a 1's upright stroke, 9 pixels wide


def test_parallel_tilted_lines_across_the_picture_are_wiped_and_the_stroke_crossing_them_stays():
    lines = (ROWS - 0.08 * COLS) % 40 < 3
    ink = (lines | STROKE).astype(np.float32)
    left = without_ruled_lines(ink)
    assert np.array_equal(left[STROKE], ink[STROKE])  # every pixel of the stroke, where it crosses a line too
    inner = (ROWS > 10) & (ROWS < 270) & (COLS > 10) & (COLS < 290)  # (ends and a line leaving by an edge: edge pieces)
    assert left[lines & ~STROKE & inner].sum() < 0.02 * lines.sum()


def test_one_long_bar_is_a_digits_not_a_sheets():
    bar = (np.abs(ROWS - 50) < 3) & (COLS > 20) & (COLS < 280)  # a 7's top across the picture
    ink = (bar | STROKE).astype(np.float32)
    assert without_ruled_lines(ink) is ink


def test_a_sheets_edges_are_left_to_the_edge_filter():
    edges = (COLS < 4) | (COLS > 295)  # two parallel strips of desk along the sides
    ink = (edges | STROKE).astype(np.float32)
    assert without_ruled_lines(ink) is ink


def test_lines_that_are_all_the_ink_stay_so_that_something_is_left_to_read():
    inside = (COLS > 30) & (COLS < 270) & (ROWS > 30) & (ROWS < 270)
    lines = (((ROWS - 0.08 * COLS) % 40 < 3) & inside).astype(np.float32)  # a ruled sheet with nothing written on it
    assert without_ruled_lines(lines) is lines


def test_a_bar_lying_along_a_line_keeps_its_ink_when_it_is_thicker_than_the_line():
    lines = ((ROWS - 20) % 40 < 3) & (COLS > 5) & (COLS < 295)  # lines 3 pixels thick, from row 20
    bar = (ROWS >= 60) & (ROWS < 68) & (COLS > 100) & (COLS < 200)  # a 7's bar, 8 thick, on the line at row 60
    ink = (lines | bar | STROKE).astype(np.float32)
    left = without_ruled_lines(ink)
    assert np.array_equal(left[bar | STROKE], ink[bar | STROKE])
    assert left[lines & ~bar & ~STROKE].sum() < 0.02 * lines.sum()


def test_a_bar_as_thin_as_the_lines_keeps_its_ink_when_it_is_darker():
    lines = ((ROWS - 20) % 40 < 3) & (COLS > 5) & (COLS < 295)
    bar = (ROWS >= 60) & (ROWS < 63) & (COLS > 100) & (COLS < 200)  # exactly on the line at row 60
    ink = np.where(bar | STROKE, 1.0, np.where(lines, 0.4, 0.0)).astype(np.float32)
    left = without_ruled_lines(ink)
    assert np.array_equal(left[bar | STROKE], ink[bar | STROKE])
    assert left[lines & ~bar & ~STROKE].sum() < 0.02 * lines.sum()
