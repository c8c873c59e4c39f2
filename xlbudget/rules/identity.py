"""Identities: the linear form every arithmetic rule is reduced to.

An identity is ``Σ coef·x  (= | <=)  0`` over amount cells, in 元. Confronting it with the shown
values uses intervals (XBRL Calculations 1.1): each shown value stands for ± half a unit in its
last decimal, and an identity fails only when those intervals cannot satisfy it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from xlbudget.calc import round_half_up
from xlbudget.model import Amount


class Term(NamedTuple):
    """``coef`` times ``amount`` (a tuple: millions are made per batch, cheaply)."""

    coef: int
    amount: Amount


_ZERO = Decimal(0)


@lru_cache(maxsize=64)
def _half_band(decimals: int, scale: int) -> Decimal:
    return Decimal(5).scaleb(-decimals - 1) * scale


class Identity:
    """One instance of a rule: ``Σ coef·amount.yuan  op  0`` with op ``=`` or ``<=``.

    ``target`` is the derived cell (a total, the left side of a comparison): the cell reported
    when nothing better is known. ``text`` says the identity in Chinese for messages; it may be
    given as a function, called only when a message needs it (most identities hold).
    """

    __slots__ = ("_residual", "_text", "_tolerance", "op", "rule", "target", "terms")

    def __init__(self, rule: str, terms: list[Term], op: str, target: Amount,
                 text: str | Callable[[], str]) -> None:
        self.rule, self.terms, self.op, self.target = rule, terms, op, target
        self._text = text
        self._residual: Decimal | None = None
        self._tolerance: Decimal | None = None

    def __repr__(self) -> str:
        return f"Identity({self.rule!r}, {self.op!r}, {self.text!r})"

    @property
    def text(self) -> str:
        if not isinstance(self._text, str):
            self._text = self._text()
        return self._text

    @text.setter
    def text(self, value: str | Callable[[], str]) -> None:
        self._text = value

    def _evaluate(self) -> None:
        # One pass over the terms for both sums: this runs for every identity of every file.
        r = tol = _ZERO
        for t in self.terms:
            a = t.amount
            if a.value is not None:
                r += t.coef * a.value * a.scale
                tol += abs(t.coef) * _half_band(a.decimals, a.scale)
        self._residual, self._tolerance = r, tol

    @property
    def residual(self) -> Decimal:
        """Σ coef·value in 元 (positive: the left side is too large)."""
        if self._residual is None:
            self._evaluate()
        return self._residual  # type: ignore[return-value]

    @property
    def tolerance(self) -> Decimal:
        """Largest residual the rounding of the shown values can explain, in 元."""
        if self._tolerance is None:
            self._evaluate()
        return self._tolerance  # type: ignore[return-value]

    @property
    def fails(self) -> bool:
        r, tol = self.residual, self.tolerance
        return r > tol if self.op == "<=" else abs(r) > tol

    @property
    def rounding_only(self) -> bool:
        """Not exact, but inside the rounding band."""
        return self.op == "=" and not self.fails and self.residual != 0

    def coef_of(self, amount: Amount) -> int:
        return sum(t.coef for t in self.terms if t.amount.ref == amount.ref)

    def expected_for(self, amount: Amount) -> Decimal | None:
        """The value ``amount`` must show (its unit and decimals) for the equality to hold
        exactly."""
        c = self.coef_of(amount)
        if self.op != "=" or c == 0:
            return None
        new_yuan = amount.yuan - self.residual / c
        return round_half_up(new_yuan / amount.scale, amount.decimals)
