"""The ruled or squared lines of school paper, found in a photographed digit's ink and wiped out.

Measured as a share of the paper's light, a sheet's printed lines are ink like the pen's, and where
the digit touches them they join it into one piece that the picture's edges then hold on to: the
whole grid is cropped in as the digit.  A ruled line is told from a stroke by three things: it is
straight, it runs across the whole photo (tilted a little when the phone was not square to the
sheet), and it is one of several parallel lines at one spacing.  A digit's strokes are shorter,
and a digit has at most one long straight bar in any direction (a 7's top, a 2's foot), so a single
long line is left alone, and so are a photograph's straight edges, which are not evenly spaced.

The ink (h, w) is shrunk by block maximum (a thin line survives a maximum) to at most SIDE pixels
across.  For each tilt t (rows per column, from −MAX_TILT to MAX_TILT) every pixel (r, c) falls on
the tilted row k = round(r − t·c); a tilted row is a line when ink covers at least LINE_COVER of
its length inside the picture (away from its edges by EDGE_MARGIN of its size: the sheet's own
edges and strips of desk are parallel lines too, left to ``keep_the_drawing``) and that length is
at least half the picture's width.  Every tilt with at least MIN_LINES lines (runs of neighbouring
line rows), evenly spaced (``evenly_spaced``), marks them and one tilted row either side (a
photo's lines are not quite parallel: the sheet is seen in perspective); of what is marked, the
ink no thicker than a line (LINE_WIDTH pixels down the column) is wiped, so a stroke that crosses
a line keeps its ink.  The same is done across the columns.
"""

import numpy as np

SIDE = 192  # lines are looked for on a copy shrunk by block maximum to at most this many pixels
MAX_TILT = 0.15  # lines tilted up to this slope (about 8.5°) are found
TILTS = np.linspace(-MAX_TILT, MAX_TILT, 31)
LINE_COVER = 0.6  # a line has ink along at least this share of its length in the picture
MIN_LINES = 3  # … and comes with at least two more, evenly spaced (a digit has at most one long bar;
# a photograph's straight edges are not spaced like a sheet's lines)
SPACING_SLACK = 0.25  # the gaps between lines are whole multiples of the smallest, give or take this
EDGE_MARGIN = 0.03  # lines are looked for this share of the picture away from its edges (a sheet's
# edges and strips of desk along them are straight and parallel too; digit_from's edge bands take those)
LINE_WIDTH = 4  # only ink no thicker than this (across the line, in the shrunk copy) is wiped: a stroke
# that crosses a line, or runs along it but is bolder, keeps its ink


def without_ruled_lines(ink):
    """``ink`` (h, w) float32 with the ink on a ruled or squared sheet's lines set to 0: (h, w) float32
    (``ink`` itself when no lines are found, or when the lines are all the ink there is)."""
    height, width = ink.shape
    block = max(1, -(-max(height, width) // SIDE))
    small_height, small_width = -(-height // block), -(-width // block)
    small = np.zeros((small_height * block, small_width * block), bool)
    small[:height, :width] = ink > 0
    small = small.reshape(small_height, block, small_width, block).any(axis=(1, 3))
    lines = _rows_on_lines(small) | _rows_on_lines(small.T).T
    if not lines.any():
        return ink
    full = np.repeat(np.repeat(lines, block, axis=0), block, axis=1)[:height, :width]
    left = np.where(full, 0, ink).astype(np.float32)
    return left if left.any() else ink


def _rows_on_lines(mask):
    """The pixels of ``mask`` (h, w) bool on straight lines that run across it, nearly along its rows,
    at least MIN_LINES of them at a tilt, where the ink is no thicker than a line: (h, w) bool."""
    height, width = mask.shape
    rows, cols = np.mgrid[0:height, 0:width]
    margin = max(2, round(EDGE_MARGIN * max(height, width)))
    inside = np.zeros(mask.shape, bool)
    inside[margin:-margin, margin:-margin] = True
    wiped = np.zeros(mask.shape, bool)
    for tilt in TILTS:
        tilted = np.rint(rows - tilt * cols).astype(np.intp)
        tilted -= tilted.min()
        length = np.bincount(tilted[inside], minlength=tilted.max() + 1)
        inked = np.bincount(tilted[mask & inside], minlength=len(length))
        on_line = (inked >= LINE_COVER * length) & (length >= (width - 2 * margin) / 2) & (inked > 0)
        if evenly_spaced(on_line):
            wiped |= (on_line | np.roll(on_line, 1) | np.roll(on_line, -1))[tilted]  # and a tilted row either side
    return wiped & (_runs_down(mask) <= LINE_WIDTH)


def evenly_spaced(on_line):
    """Do the runs of True in ``on_line`` (k,) bool (lines, by tilted row) number at least MIN_LINES,
    with the gaps between their middles each within SPACING_SLACK of a whole multiple of the
    smallest (a line hidden by the digit or too faint to count leaves a double gap)?"""
    starts = np.flatnonzero(on_line & ~np.concatenate([[False], on_line[:-1]]))
    ends = np.flatnonzero(on_line & ~np.concatenate([on_line[1:], [False]]))
    if len(starts) < MIN_LINES:
        return False
    gaps = np.diff((starts + ends) / 2)
    multiples = gaps / gaps.min()
    return bool(np.all(np.abs(multiples - np.round(multiples)) <= SPACING_SLACK))


def _runs_down(mask):
    """(h, w) ints: the length of the run of True down its column that each pixel of ``mask`` is in (0 off it)."""
    above, below = np.zeros(mask.shape, np.intp), np.zeros(mask.shape, np.intp)
    for row in range(mask.shape[0]):
        above[row] = (above[row - 1] + 1) * mask[row] if row else mask[row]
        last = mask.shape[0] - 1 - row
        below[last] = (below[last + 1] + 1) * mask[last] if row else mask[last]
    return np.maximum(above + below - 1, 0)
