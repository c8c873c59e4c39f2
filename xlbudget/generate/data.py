"""The truth behind a sample workbook: every amount of T1..T9 in 元, exact and consistent.

Amounts are drawn per 项 (7-digit function code) and per money type, then summed exactly in 元 up
to 款, 类 and 合计 and across tables, so every identity of the reference (T1-a … X17) holds with
zero residual in 元. Rounding to 0.01 万元 happens only when a cell is shown (``shown``), per cell,
which gives the 0.01–0.02 residuals real documents have.
"""

from __future__ import annotations

import random

from xlbudget.codes import ECONOMIC_CLASSES, ECONOMIC_ITEMS
from xlbudget.generate.dataset import (
    FISCAL,
    NONFISCAL_SOURCES,
    NONFISCAL_SPENDING,
    T1_EXPENSE_TAIL,
    T1_INCOME_ROWS,
    T2_COLUMNS,
    T3_COLUMNS,
    T4_EXPENSE_COLUMNS,
    T4_EXPENSE_TAIL,
    T4_INCOME_ROWS,
    T5_COLUMNS,
    T7_COLUMNS,
    T8_COLUMNS,
    Dataset,
    Key,
    function_name,
)
from xlbudget.generate.department import FUND_ITEM, SOE_ITEM, Structure, is_basic, structure


def generate(seed: int, year: int = 2023) -> Dataset:
    """A consistent department for ``year`` with its ``prior`` (year − 1) attached."""
    kept = structure(seed)
    prior, closing = _build(seed, year - 1, kept, None, None)
    return _build(seed, year, kept, prior, closing)[0]


def split(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` that add up exactly."""
    acc = sum(weights)
    parts, done, running = [], 0, 0.0
    for w in weights[:-1]:
        running += w
        upto = round(total * running / acc)
        parts.append(upto - done)
        done = upto
    return [*parts, total - done]


def _pct(rng: random.Random, lo: float, hi: float, amount: int) -> int:
    return round(amount * rng.uniform(lo, hi))


#: Year-end balances handed to the next year: (leaf, money type) or ("nonfiscal", "") -> 元.
Balances = dict[tuple[str, str], int]


def _build(seed: int, year: int, s: Structure, prior: Dataset | None,
           carried: Balances | None) -> tuple[Dataset, Balances]:
    """One year's amounts; opening balances are last year's closing ones when ``carried``."""
    rng = random.Random(f"xlbudget-amounts:{seed}:{year}")
    y: dict[Key, int] = {}
    rows: dict[tuple[str, str], tuple[str, ...]] = {}
    columns: dict[tuple[str, str], tuple[str, ...]] = {}

    # Per leaf and money type: spending (basic, project), opening and closing balances.
    spend: dict[tuple[str, str], tuple[int, int]] = {}
    balance: dict[tuple[str, str], tuple[int, int]] = {}
    for c in s.leaves:
        money = "fund" if c == FUND_ITEM else "soe" if c == SOE_ITEM else "gpb"
        amount = _pct(rng, 0.8, 1.2, s.size[c])
        spend[(c, money)] = (amount, 0) if is_basic(c) else (0, amount)
        opening = _pct(rng, 0.0, 0.12, amount) if rng.random() < 0.5 else 0
        if carried is not None:
            opening = carried[(c, money)]
        closing = _pct(rng, 0.0, 0.12, amount) if rng.random() < 0.5 else 0
        balance[(c, money)] = (opening, closing)
    nf_income: dict[tuple[str, str], int] = {}
    nf_spend: dict[tuple[str, str], int] = {}
    for c in s.nonfiscal_leaves:
        scale = _pct(rng, 0.05, 0.4, s.size[c])
        for src in s.nonfiscal_sources:
            nf_income[(c, src)] = _pct(rng, 0.2, 1.0, scale)
        got = sum(nf_income[(c, src)] for src in s.nonfiscal_sources)
        nf_spend[(c, "basic")] = _pct(rng, 0.0, 0.5, got)
        nf_spend[(c, "project")] = _pct(rng, 0.3, 0.6, got)
        for col in s.nonfiscal_spending:
            nf_spend[(c, col)] = _pct(rng, 0.02, 0.15, got)

    def money_of(c: str, money: str, part: str) -> int:
        """One of basic/project/exp/income/opening/closing of a leaf's fiscal money."""
        basic, project = spend.get((c, money), (0, 0))
        opening, closing = balance.get((c, money), (0, 0))
        return {"basic": basic, "project": project, "exp": basic + project,
                "opening": opening, "closing": closing,
                "income": basic + project + closing - opening}[part]

    codes = _with_parents(s.leaves)
    classes = [c for c in codes if len(c) == 3]

    def tree_sum(table: str, code_list: list[str], leaf_value: dict[str, dict[str, int]]) -> None:
        """Leaf values, then every parent and the 'total' row as exact sums of leaves."""
        cols = columns[(table, "main")]
        for code in code_list:
            leaves = [c for c in leaf_value if c.startswith(code)]
            for col in cols:
                y[(table, "main", code, col)] = sum(leaf_value[c][col] for c in leaves)
        for col in cols:
            y[(table, "main", "total", col)] = sum(v[col] for v in leaf_value.values())
        rows[(table, "main")] = ("total", *code_list)

    # T2: income by function code.
    columns[("T2", "main")] = T2_COLUMNS
    t2: dict[str, dict[str, int]] = {}
    for c in s.leaves:
        row = {"fiscal": sum(money_of(c, m, "income") for m in FISCAL)}
        row.update({src: nf_income.get((c, src), 0) for src in NONFISCAL_SOURCES})
        row["total"] = sum(row.values())
        t2[c] = row
    tree_sum("T2", codes, t2)

    # T3: spending by function code.
    columns[("T3", "main")] = T3_COLUMNS
    t3: dict[str, dict[str, int]] = {}
    for c in s.leaves:
        row = {part: sum(money_of(c, m, part) for m in FISCAL) + nf_spend.get((c, part), 0)
               for part in ("basic", "project")}
        row.update({col: nf_spend.get((c, col), 0) for col in NONFISCAL_SPENDING})
        row["total"] = sum(row.values())
        t3[c] = row
    tree_sum("T3", codes, t3)

    # T5 / T8 / T9: one per fiscal money type, over the codes that carry that money.
    def money_table(table: str, money: str, cols: tuple[str, ...]) -> None:
        columns[(table, "main")] = cols
        leaf_value = {}
        for c in s.leaves:
            if (c, money) not in spend:
                continue
            basic, project = money_of(c, money, "basic"), money_of(c, money, "project")
            leaf_value[c] = {"total": basic + project, "basic": basic, "project": project,
                             "exp_total": basic + project, "exp_basic": basic,
                             "exp_project": project,
                             **{p: money_of(c, money, p) for p in ("opening", "income",
                                                                    "closing")}}
            leaf_value[c] = {k: leaf_value[c][k] for k in cols}
        tree_sum(table, _with_parents(list(leaf_value)), leaf_value)

    money_table("T5", "gpb", T5_COLUMNS)
    money_table("T8", "fund", T8_COLUMNS)
    money_table("T9", "soe", T8_COLUMNS)

    # Non-fiscal money at department level: its own roll-forward (X13) with a balance that
    # never goes negative (a shortfall is met from the non-fiscal reserve, 使用非财政拨款结余).
    nf_in = sum(nf_income.values())
    nf_out = sum(nf_spend.values())
    use_nf = _pct(rng, 0.02, 0.1, nf_in) if nf_in and rng.random() < 0.5 else 0
    distribution = _pct(rng, 0.01, 0.05, nf_in) if nf_in and rng.random() < 0.3 else 0
    need = nf_out + distribution - nf_in - use_nf
    nf_opening = max(need, 0) + (_pct(rng, 0.05, 0.3, nf_in) if nf_in else 0)
    if carried is not None:
        nf_opening = carried[("nonfiscal", "")]
        use_nf += max(need - nf_opening, 0)
    nf_closing = nf_opening + nf_in + use_nf - nf_out - distribution

    def total_of(money: str, part: str) -> int:
        return sum(money_of(c, money, part) for c in s.leaves)

    # T4: fiscal money only.
    columns[("T4", "income")] = ("amount",)
    t4i = {m: total_of(m, "income") for m in FISCAL}
    t4i["income_total"] = sum(t4i[m] for m in FISCAL)
    for m in FISCAL:
        t4i[f"opening_{m}"] = total_of(m, "opening")
    t4i["opening"] = sum(t4i[f"opening_{m}"] for m in FISCAL)
    t4i["grand_total"] = t4i["income_total"] + t4i["opening"]
    rows[("T4", "income")] = T4_INCOME_ROWS
    y.update({("T4", "income", r, "amount"): t4i[r] for r in T4_INCOME_ROWS})
    columns[("T4", "expense")] = T4_EXPENSE_COLUMNS
    t4_classes = [k for k in classes if any(c.startswith(k) for (c, _m) in spend)]
    rows[("T4", "expense")] = (*t4_classes, *T4_EXPENSE_TAIL)
    for col in T4_EXPENSE_COLUMNS:
        monies = FISCAL if col == "total" else (col,)
        for k in t4_classes:
            y[("T4", "expense", k, col)] = sum(money_of(c, m, "exp") for c in s.leaves
                                               if c.startswith(k) for m in monies)
        exp = sum(total_of(m, "exp") for m in monies)
        closing = sum(total_of(m, "closing") for m in monies)
        y[("T4", "expense", "expense_total", col)] = exp
        y[("T4", "expense", "closing", col)] = closing
        y[("T4", "expense", "grand_total", col)] = exp + closing

    # T1: all money.
    columns[("T1", "income")] = ("amount",)
    columns[("T1", "expense")] = ("amount",)
    t1i = {m: t4i[m] for m in FISCAL}
    t1i.update({src: y[("T2", "main", "total", src)] for src in NONFISCAL_SOURCES})
    t1i["income_total"] = sum(t1i.values())
    t1i["use_nonfiscal_balance"] = use_nf
    t1i["opening_balance"] = t4i["opening"] + nf_opening
    t1i["grand_total"] = t1i["income_total"] + use_nf + t1i["opening_balance"]
    rows[("T1", "income")] = T1_INCOME_ROWS
    y.update({("T1", "income", r, "amount"): t1i[r] for r in T1_INCOME_ROWS})
    rows[("T1", "expense")] = (*classes, *T1_EXPENSE_TAIL)
    for k in classes:
        y[("T1", "expense", k, "amount")] = y[("T3", "main", k, "total")]
    expense_total = y[("T3", "main", "total", "total")]
    closing_balance = y[("T4", "expense", "closing", "total")] + nf_closing
    y[("T1", "expense", "expense_total", "amount")] = expense_total
    y[("T1", "expense", "balance_distribution", "amount")] = distribution
    y[("T1", "expense", "closing_balance", "amount")] = closing_balance
    y[("T1", "expense", "grand_total", "amount")] = expense_total + distribution + closing_balance

    # T7 first: T6's 三公-linked items are drawn below their T7 finals (X16).
    basic_gpb = y[("T5", "main", "total", "basic")]
    t7 = _sangong(rng, s, basic_gpb)
    columns[("T7", "main")] = T7_COLUMNS
    rows[("T7", "main")] = ("total",)
    y.update({("T7", "main", "total", col): t7[col] for col in T7_COLUMNS})

    economic = _economic(rng, s, basic_gpb, t7)
    columns[("T6", "main")] = ("amount",)
    econ_codes = sorted({*economic, *(c[:3] for c in economic)})
    rows[("T6", "main")] = (*econ_codes, "personnel_total", "public_total")
    for code in econ_codes:
        y[("T6", "main", code, "amount")] = sum(v for c, v in economic.items()
                                                if c.startswith(code))
    for side, key in (("personnel", "personnel_total"), ("public", "public_total")):
        y[("T6", "main", key, "amount")] = sum(
            v for c, v in economic.items() if ECONOMIC_CLASSES[c[:3]][1] == side)

    names = {c: function_name(c, year) for c in codes}
    names.update({c: ECONOMIC_CLASSES[c][0] if len(c) == 3 else ECONOMIC_ITEMS[c]
                  for c in econ_codes})
    closing_balances: Balances = {key: bal[1] for key, bal in balance.items()}
    closing_balances[("nonfiscal", "")] = nf_closing
    return Dataset(seed, year, s.organisation, rows, columns, y, names, prior), closing_balances


def _with_parents(leaves: list[str]) -> list[str]:
    """Leaves with their 款 and 类, in pre-order (lexicographic order of codes is pre-order)."""
    return sorted({p for c in leaves for p in (c[:3], c[:5], c)})


def _sangong(rng: random.Random, s: Structure, basic: int) -> dict[str, int]:
    """三公 budget and final amounts: small next to basic spending, as in real departments."""
    final = {
        "abroad": _pct(rng, 0.001, 0.004, basic) if s.abroad else 0,
        "vehicle_purchase": _pct(rng, 0.004, 0.01, basic) if s.vehicle_purchase else 0,
        "vehicle_operation": _pct(rng, 0.002, 0.008, basic),
        "reception": _pct(rng, 0.0003, 0.002, basic),
    }
    # Budgets are planned in round hundreds of 元; spending stays near them.
    budget = {k: int(round(v * rng.uniform(0.95, 1.3), -2)) for k, v in final.items()}
    out = {}
    for kind, parts in (("final", final), ("budget", budget)):
        vehicle = parts["vehicle_purchase"] + parts["vehicle_operation"]
        out[f"vehicle_{kind}"] = vehicle
        out[f"total_{kind}"] = parts["abroad"] + vehicle + parts["reception"]
        for item, v in parts.items():
            out[f"{item}_{kind}"] = v
    return out


def _economic(rng: random.Random, s: Structure, basic: int, t7: dict[str, int]) -> dict[str, int]:
    """Split basic spending into economic items; 三公-linked items stay within T7 (X16)."""
    linked = {"30212": "abroad_final", "30217": "reception_final",
              "30231": "vehicle_operation_final", "31013": "vehicle_purchase_final"}
    fixed = {c: _pct(rng, 0.5, 1.0, t7[col]) for c, col in linked.items() if c in s.economic}
    personnel = _pct(rng, 0.62, 0.8, basic)
    public = basic - personnel
    out = dict(fixed)
    for side, amount in (("personnel", personnel), ("public", public - sum(fixed.values()))):
        items = [c for c in s.economic
                 if ECONOMIC_CLASSES[c[:3]][1] == side and c not in fixed]
        weights = [rng.uniform(0.3, 3.0) * (4 if c in ("30101", "30102", "30302") else 1)
                   for c in items]
        out.update(zip(items, split(amount, weights), strict=True))
    return out
