"""The ruled or squared lines of school paper, found in a photographed digit's ink and wiped out.

Measured as a share of the paper's light, a sheet's printed lines are ink like the pen's, and where
the digit touches them they join it into one piece that the picture's edges then hold on to: the
whole grid is cropped in as the digit.  A ruled line is told from a stroke by three things: it is
straight, it runs across the whole photo (tilted a little when the phone was not square to the
sheet), and it is one of several parallel lines at one spacing.  A digit's strokes are shorter,
and a digit has at most one long straight bar in any direction (a 7's top, a 2's foot), so a single
long line is left alone, and so are a photograph's straight edges, which are not evenly spaced.

Finding the lines: the ink (h, w) is shrunk by block maximum (a thin line survives a maximum) to at
most SIDE pixels across.  For each tilt t (rows per column, from −MAX_TILT to MAX_TILT) every pixel
(r, c) falls on the tilted row k = round(r − t·c); a tilted row is a line when ink covers at least
LINE_COVER of its length inside the picture (away from its edges by EDGE_MARGIN of its size: the
sheet's own edges and strips of desk are parallel lines too, left to ``keep_the_drawing``) and that
length is at least half the picture's width.  Every tilt with at least MIN_LINES lines (runs of
neighbouring line rows), evenly spaced (``evenly_spaced``), marks them and one tilted row either
side (a photo's lines are not quite parallel: the sheet is seen in perspective): the lines' band.

Wiping only the lines' own ink, at the picture's full size: the ink falls into runs down each
column.  A run that meets the band is the line's own when it is no thicker than the line (the
median run on the band, the line's measured thickness, by LINE_SLACK) and no stronger than the
line's ink (the median of those runs' strongest pixels, by TONE_SLACK).  Where a stroke crosses a
line or lies along it, its run is the line's and the stroke's together, thicker than the line, or,
for a pen darker than the lines, stronger: the whole run stays, so the stroke keeps its ink and
the line's pixels beside it go.  The same is done across the columns.
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
LINE_WIDTH = 4  # only ink no thicker than this (across the line, in the shrunk copy) can be a line's
LINE_SLACK = 1.5  # a run across a line up to this times the line's thickness (plus a pixel) is the line's own
TONE_SLACK = 1.5  # … if its strongest pixel is at most this times as strong as the line's


def without_ruled_lines(ink):
    """``ink`` (h, w) float32 with the ink on a ruled or squared sheet's lines set to 0: (h, w) float32
    (``ink`` itself when no lines are found, or when the lines are all the ink there is)."""
    height, width = ink.shape
    block = max(1, -(-max(height, width) // SIDE))
    small_height, small_width = -(-height // block), -(-width // block)
    small = np.zeros((small_height * block, small_width * block), bool)
    small[:height, :width] = ink > 0
    small = small.reshape(small_height, block, small_width, block).any(axis=(1, 3))
    across, down = _line_band(small), _line_band(small.T).T
    across &= _runs_down(small) <= LINE_WIDTH  # (ink thicker than a line in the shrunk copy is never a line's)
    down &= _runs_down(small.T).T <= LINE_WIDTH
    if not (across.any() or down.any()):
        return ink
    left = ink
    for band, turned in ((across, False), (down, True)):  # in turn: a squared sheet's crossings go in the second
        if band.any():
            full = np.repeat(np.repeat(band, block, axis=0), block, axis=1)[:height, :width]
            own = _lines_own_ink(left.T, full.T).T if turned else _lines_own_ink(left, full)
            left = np.where(full & own, 0, left).astype(np.float32)
    return left if left.any() else ink


def _line_band(mask):
    """The band of ``mask`` (h, w) bool around straight lines that run across it, nearly along its
    rows, at least MIN_LINES of them at a tilt, evenly spaced, and one tilted row either side: (h, w) bool."""
    height, width = mask.shape
    rows, cols = np.mgrid[0:height, 0:width]
    margin = max(2, round(EDGE_MARGIN * max(height, width)))
    inside = np.zeros(mask.shape, bool)
    inside[margin:-margin, margin:-margin] = True
    band = np.zeros(mask.shape, bool)
    for tilt in TILTS:
        tilted = np.rint(rows - tilt * cols).astype(np.intp)
        tilted -= tilted.min()
        length = np.bincount(tilted[inside], minlength=tilted.max() + 1)
        inked = np.bincount(tilted[mask & inside], minlength=len(length))
        on_line = (inked >= LINE_COVER * length) & (length >= (width - 2 * margin) / 2) & (inked > 0)
        if evenly_spaced(on_line):
            band |= (on_line | np.roll(on_line, 1) | np.roll(on_line, -1))[tilted]  # and a tilted row either side
    return band


def _lines_own_ink(ink, band):
    """The pixels of ``ink`` (h, w) float that are the lines' own along the rows of ``band`` (h, w)
    bool: the runs of ink down a column that meet the band and are no thicker (LINE_SLACK) and no
    stronger (TONE_SLACK) than the typical such run, the line itself: (h, w) bool."""
    height = ink.shape[0]
    inked = (ink > 0).T.ravel()  # column after column
    starts = inked & ~np.concatenate([[False], inked[:-1]])
    starts[::height] = inked[::height]  # a run never goes on into the next column
    run = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    length = np.diff(np.append(first, inked.size)) - np.bincount(run[~inked & (run >= 0)], minlength=len(first))
    strongest = np.maximum.reduceat(ink.T.ravel(), first) if len(first) else np.zeros(0)
    meets = np.bincount(run[inked & band.T.ravel()], minlength=len(first)) > 0
    if not meets.any():
        return np.zeros(ink.shape, bool)
    thickness = float(np.median(length[meets]))
    thin = meets & (length <= LINE_SLACK * thickness + 1)
    tone = float(np.median(strongest[thin]))
    own = thin & (strongest <= TONE_SLACK * tone)
    return (own[run] & inked).reshape(ink.shape[1], height).T


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
