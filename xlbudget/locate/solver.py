"""The solver behind a small interface, so that it can be swapped (errorlocate's ``get_solver``).

A :class:`Program` is a plain mixed-integer linear program; a :class:`Solver` turns it into a
:class:`Solution`. The default is HiGHS through ``scipy.optimize.milp``; an LP is a program
without integer variables. Solves are bounded by work (branch-and-bound nodes), never by the
clock: the same file gives the same answer on an idle machine and under load.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

#: HiGHS accepts an integer variable within this distance of an integer. The default (1e-6)
#: times a big-M bound of 1e8 would let a "zero" change indicator carry a change of 100 units,
#: far more than a rounding band (0.5 units); at 1e-9 that is 0.1. What slack remains (larger
#: bounds when tables in 元 and 万元 meet) is caught by checking every flagged set with the LP.
MIP_FEASIBILITY_TOLERANCE = 1e-9
PRIMAL_FEASIBILITY_TOLERANCE = 1e-9
#: Branch-and-bound nodes one mixed-integer solve may explore. The programs of a few wrong
#: cells close at the root or within tens of nodes; a program that needs more is a failure no
#: small change explains, and is reported as such.
NODE_LIMIT = 500


@dataclass(slots=True)
class Program:
    """``min c·x`` subject to ``b_l ≤ A x ≤ b_u``, ``lb ≤ x ≤ ub``, x_i integer where flagged."""

    c: np.ndarray
    integrality: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    A: Any  # a scipy.sparse matrix
    b_l: np.ndarray
    b_u: np.ndarray


@dataclass(slots=True)
class Solution:
    """``status`` is 'optimal', 'infeasible', 'limit' (the work limit was reached; ``x`` is
    then the best point found or None) or 'error'."""

    status: str
    x: np.ndarray | None = None
    objective: float | None = None


class Solver(Protocol):
    def solve(self, program: Program) -> Solution: ...


class HighsSolver:
    """HiGHS through ``scipy.optimize.milp``."""

    def __init__(self, node_limit: int | None = None) -> None:
        self.node_limit = NODE_LIMIT if node_limit is None else node_limit

    def solve(self, program: Program) -> Solution:
        # HiGHS is deterministic for a given program (its random seed is fixed by default);
        # with a node limit instead of a time limit, so is the outcome.
        options: dict[str, Any] = {
            "node_limit": self.node_limit,
            # Passed to HiGHS verbatim (scipy warns that it does not check them).
            "mip_feasibility_tolerance": MIP_FEASIBILITY_TOLERANCE,
            "primal_feasibility_tolerance": PRIMAL_FEASIBILITY_TOLERANCE,
        }
        with warnings.catch_warnings(), _quiet_stdout():
            warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
            res = milp(
                program.c,
                integrality=program.integrality,
                bounds=Bounds(program.lb, program.ub),
                constraints=[LinearConstraint(program.A, program.b_l, program.b_u)],
                options=options,
            )
        # scipy status: 0 optimal, 1 iteration/node limit, 2 infeasible, 3 unbounded, 4 other.
        if res.status == 0:
            return Solution("optimal", np.asarray(res.x), float(res.fun))
        if res.status == 1:
            x = None if res.x is None else np.asarray(res.x)
            return Solution("limit", x, None if res.fun is None else float(res.fun))
        if res.status == 2:
            return Solution("infeasible")
        return Solution("error")


class _QuietStdout:
    """Silence C-level stdout (file descriptor 1) while any solve runs.

    HiGHS (as bundled with scipy 1.17) prints a debugging line with ``printf`` when a
    presolved solution needs repair, ignoring its own output options; stdout carries the JSON
    report of ``xlbudget check`` (and batch worker processes share it), so such a line would
    corrupt it. Solves may run in several threads (a Dask worker): the first one to start
    redirects, the last one to finish restores, so the descriptor is never left redirected.
    Output of other threads during a solve is lost; nothing of ours prints then.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):  # no file behind stdout (captured, GUI)
            yield
            return
        with self._lock:
            if self._depth == 0:
                sys.stdout.flush()
                self._saved = os.dup(fd)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._saved is not None:
                    os.dup2(self._saved, fd)
                    os.close(self._saved)
                    self._saved = None


_quiet_stdout = _QuietStdout()


def get_solver(name: str = "highs") -> Solver:
    """The solver registered under ``name`` (only HiGHS for now)."""
    if name == "highs":
        return HighsSolver()
    raise ValueError(f"unknown solver {name!r}")
