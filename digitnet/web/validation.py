"""Checking the JSON bodies the explorer's API receives, field by field, before any work is done.

Every check raises ``ApiError(status, message)``; the server turns it into a JSON error
``{"error": message}`` with that 4xx status.  A body is a JSON object whose fields are
declared by a schema: a dict of field name → (required, check).  Unknown fields are refused.
"""

import base64
import binascii
import io
import math

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_BODY_BYTES = 1 << 20  # 1 MiB: any request body over this is refused (413)
MAX_PNG_BYTES = 256 * 1024  # a drawing sent as PNG: at most 256 KiB …
MAX_PNG_SIDE = 1024  # … and at most 1024 pixels on a side
INPUT_SIZE = 784


class ApiError(Exception):
    """A request the API refuses: ``status`` (4xx) and a one-line message for the person."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def check_body(body, schema):
    """``body`` (parsed JSON) checked against ``schema``: {field: (required, check)} → {field: value}.

    Optional fields that are absent are left out of the result.
    """
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    unknown = sorted(set(body) - set(schema))
    if unknown:
        raise ApiError(
            400,
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(map(repr, schema))}",
        )
    checked = {}
    for name, (required, check) in schema.items():
        if name in body:
            checked[name] = check(name, body[name])
        elif required:
            raise ApiError(400, f"missing field {name!r}")
    return checked


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def pixels(name, value):
    """Exactly 784 finite numbers in [0, 1] → (784,) float32 array."""
    if not isinstance(value, list):
        raise ApiError(400, f"{name!r} must be a list of {INPUT_SIZE} numbers in [0, 1]")
    if len(value) != INPUT_SIZE:
        raise ApiError(400, f"{name!r} must hold exactly {INPUT_SIZE} numbers (28×28), got {len(value)}")
    if not all(_is_number(v) for v in value):
        raise ApiError(400, f"{name!r} must hold only numbers")
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:  # an integer too large for a float
        raise ApiError(400, f"{name!r} values must be in [0, 1]") from None
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        raise ApiError(400, f"{name!r} values must be in [0, 1]")
    return array.astype(np.float32)


def png(name, value):
    """A base64-encoded PNG of at most MAX_PNG_BYTES and MAX_PNG_SIDE pixels a side → its bytes."""
    if not isinstance(value, str):
        raise ApiError(400, f"{name!r} must be a base64-encoded PNG")
    if len(value) > 4 * MAX_PNG_BYTES // 3 + 4:
        raise ApiError(413, f"{name!r} is larger than {MAX_PNG_BYTES:,} bytes")
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, f"{name!r} is not valid base64") from None
    if len(content) > MAX_PNG_BYTES:
        raise ApiError(413, f"{name!r} is larger than {MAX_PNG_BYTES:,} bytes")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, (width, height) = image.format, image.size
    except Image.DecompressionBombError:
        raise ApiError(413, f"{name!r} declares more pixels than any picture this server reads") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApiError(400, f"{name!r} is not a PNG image") from None
    if kind != "PNG":
        raise ApiError(400, f"{name!r} is a {kind} image; send a PNG")
    if max(width, height) > MAX_PNG_SIDE:
        raise ApiError(413, f"{name!r} is {width}×{height} pixels; at most {MAX_PNG_SIDE} on a side")
    return content


def integer(low, high=None):
    """A check for an integer in [low, high], or ≥ low without ``high`` (booleans are not integers here)."""

    def check(name, value):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ApiError(400, f"{name!r} must be an integer")
        if high is None and value < low:
            raise ApiError(400, f"{name!r} must be {low} or more, got {value}")
        if high is not None and not low <= value <= high:
            raise ApiError(400, f"{name!r} must be between {low} and {high}, got {value}")
        return value

    return check


def number(low, high):
    """A check for a finite number in (low, high] (an integer too large for a float is out of range)."""

    def check(name, value):
        if not _is_number(value):
            raise ApiError(400, f"{name!r} must be a number")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value) or not low < value <= high:
            raise ApiError(400, f"{name!r} must be a number greater than {low:g} and at most {high:g}")
        return value

    return check


def choice(options):
    """A check for one of the strings in ``options``."""

    def check(name, value):
        if value not in options:
            raise ApiError(400, f"{name!r} must be one of {', '.join(map(repr, options))}")
        return value

    return check


def boolean(name, value):
    if not isinstance(value, bool):
        raise ApiError(400, f"{name!r} must be true or false")
    return value


def text(max_length):
    """A check for a non-empty string of at most ``max_length`` characters."""

    def check(name, value):
        if not isinstance(value, str) or not 0 < len(value) <= max_length:
            raise ApiError(400, f"{name!r} must be a string of 1 to {max_length} characters")
        return value

    return check


def integers(count_low, count_high, low, high):
    """A check for a list of ``count_low``..``count_high`` integers each in [low, high]."""
    each = integer(low, high)

    def check(name, value):
        if not isinstance(value, list) or not count_low <= len(value) <= count_high:
            raise ApiError(400, f"{name!r} must be a list of {count_low} to {count_high} integers")
        return [each(name, v) for v in value]

    return check
