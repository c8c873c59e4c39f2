"""Normalisation of labels and amounts as they appear in real workbooks."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'",
                         "『": '"', "』": '"'})
# after NFKC the full-width brackets are ASCII ones
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)"
                      r"|\d+[、.．]|其中[:：]?)")
_SPACES = re.compile(r"\s+")
DASHES = {"-", "—", "--", "——", "－", "－－", "―", "/"}


def norm(text: object) -> str:
    """NFKC, unified quotes and brackets, no spaces (full-width ones included)."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)
    return _SPACES.sub("", s.replace("\u3000", ""))


def label(text: object) -> str:
    """A row label without ordinals (一、), 其中：, spaces and quotes."""
    s = norm(text)
    prev = None
    while prev != s:
        prev = s
        s = _ORDINAL.sub("", s)
    return s.replace('"', "")


def canon_item(text: str) -> str:
    """Fold the spelling variants the reference lists (运行费/运行维护费, 费/费用, brackets)."""
    s = text.replace('"', "").replace("(", "").replace(")", "")
    s = s.replace("运行维护费", "运行费").replace("费用", "费")
    return s


def parse_amount(value: object) -> tuple[Decimal | None, int, bool]:
    """A cell value to (value, shown decimals, ok). Blank -> (None, 0, True); dashes -> zero.

    Floats come from calamine; their shortest repr is the typed number, rounded to 6 decimals to
    drop binary noise of computed values.
    """
    if type(value) is float:  # the common case first: calamine gives every number as float
        text = repr(value)
        if len(text) > 15 or "e" in text:  # binary noise of computed values, tiny exponents
            text = repr(round(value, 6))
        if text.endswith(".0"):
            return Decimal(text[:-2]), 0, True
        if "e" in text or "E" in text:
            d = Decimal(text).normalize()
            return d, max(0, -d.as_tuple().exponent), True  # type: ignore[operator]
        return Decimal(text), len(text) - text.index(".") - 1, True
    if value is None or value == "":
        return None, 0, True
    if isinstance(value, bool):
        return None, 0, False
    if isinstance(value, int):
        return Decimal(value), 0, True
    s = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").replace("\u3000", "")
    if s == "":
        return None, 0, True
    if s in DASHES:
        return Decimal(0), 0, True
    neg = s.startswith("(") and s.endswith(")")
    if neg:
        s = s[1:-1]
    if not re.fullmatch(r"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", s):
        return None, 0, False
    try:
        d = Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None, 0, False
    decimals = len(s.split(".")[1]) if "." in s else 0
    return (-d if neg else d), decimals, True


def is_number_like(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    d, _, ok = parse_amount(value)
    return ok and d is not None


_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})(?!\d)")


def code_prefix(text: str) -> tuple[str | None, str]:
    """Split a leading classification code from a label:
    '2010301行政运行' -> ('2010301', '行政运行')."""
    s = norm(text)
    m = _CODE.match(s)
    if not m:
        return None, s
    return m.group(1), s[m.end():].lstrip(".、:：-")
