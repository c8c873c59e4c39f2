"""Rule selection as users write it in ``--select``/``--ignore`` and ``xlbudget rules CODE``.

A pattern is a rule code (``X1`` is exactly X1), a group (``T7`` or ``IN``: the codes before
their ``-``) or a prefix with a star (``X1*``: X1 and X10–X17). Case does not matter. A pattern
that matches no rule is an error listing the close matches, never a silent no-op.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from xlbudget.rules.catalog import REGISTRY


class SelectionError(ValueError):
    """A pattern that matches no rule; the message is Chinese and lists close matches."""


def matches(code: str, pattern: str) -> bool:
    """Whether ``code`` is selected by one normalised pattern (see ``parse_selection``)."""
    if pattern.endswith("*"):
        return code.upper().startswith(pattern[:-1])
    up = code.upper()
    return up == pattern or up.startswith(pattern + "-")


def known_codes() -> list[str]:
    """Every rule code, in catalog order."""
    return list(REGISTRY)


def selected(code: str, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> bool:
    """Whether a rule code passes ``--select``/``--ignore`` given as patterns."""
    sel = [s.strip().upper() for s in select if s.strip()]
    if sel and not any(matches(code, s) for s in sel):
        return False
    return not any(matches(code, i.strip().upper()) for i in ignore if i.strip())


def parse_selection(values: Iterable[str], codes: Iterable[str] | None = None
                    ) -> tuple[str, ...]:
    """Normalised patterns from option values (each may hold several, comma separated).

    Raises SelectionError for a pattern matching none of ``codes`` (default: the registry).
    """
    known = list(codes) if codes is not None else known_codes()
    out: list[str] = []
    for value in values:
        for raw in value.replace("，", ",").split(","):
            pattern = raw.strip().upper()
            if not pattern:
                continue
            if not any(matches(c, pattern) for c in known):  # "*" selects every rule
                raise SelectionError(_unknown(raw.strip(), known))
            if pattern not in out:
                out.append(pattern)
    return tuple(out)


def resolve(pattern: str, codes: Iterable[str] | None = None) -> list[str]:
    """The codes one pattern selects (``xlbudget rules T7`` lists them); SelectionError when
    there are none."""
    known = list(codes) if codes is not None else known_codes()
    patterns = parse_selection([pattern], known)
    return [c for c in known if any(matches(c, p) for p in patterns)]


def _unknown(raw: str, known: list[str]) -> str:
    groups = sorted({c.split("-")[0] for c in known if "-" in c})
    names = {n.upper(): n for n in [*known, *groups]}
    close = difflib.get_close_matches(raw.upper().rstrip("*"), list(names), n=5, cutoff=0.5)
    hint = f"，是否要找：{'、'.join(names[c] for c in close)}" if close else ""
    return (f"没有规则“{raw}”{hint}。规则代码如 X1（只选 X1）、T7（T7 的全部规则）、"
            "X1*（X1 及 X10–X17）；用 xlbudget rules 查看全部规则")
