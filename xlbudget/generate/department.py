"""What stays the same for a sample department from one year to the next, drawn from its seed:
its name, the function codes it spends under and their sizes, its non-fiscal money, its
economic items and its 三公 habits."""

from __future__ import annotations

import random
from dataclasses import dataclass

from xlbudget.codes import FUNCTION_ITEMS
from xlbudget.generate.dataset import NONFISCAL_SOURCES, NONFISCAL_SPENDING

#: Always present: the classes almost every department spends in (reference §1, §5).
CORE_CLASSES = ("201", "208", "210", "221")
#: 项 that carry basic spending (running costs, personnel-linked social contributions).
_BASIC_MARKERS = ("行政运行", "事业运行")
_BASIC_PREFIXES = ("20805", "21011", "22102")
#: Where fund (政府性基金) and state-capital (国有资本经营) money is spent.
FUND_ITEM = "2296002"
SOE_ITEM = "2230105"

_PERSONNEL_ALWAYS = ("30101", "30102", "30103", "30108", "30109", "30110", "30113")
_PERSONNEL_SOME = ("30106", "30107", "30111", "30112", "30199")
_FAMILY_ALWAYS = ("30302",)
_FAMILY_SOME = ("30301", "30304", "30305", "30307", "30399")
_PUBLIC_ALWAYS = ("30201", "30205", "30206", "30207", "30211", "30213", "30228", "30229",
                  "30299")
_PUBLIC_SOME = ("30202", "30203", "30209", "30214", "30215", "30216", "30226", "30227",
                "30239")
_CAPITAL_SOME = ("31002", "31003", "31007")

_PLACES = ("上海市黄浦区", "上海市长宁区", "杭州市西湖区", "杭州市滨江区", "成都市锦江区",
           "南京市鼓楼区", "武汉市江汉区", "西安市雁塔区")
_BUREAUS = ("民政局", "司法局", "应急管理局", "生态环境局", "农业农村委员会", "城市管理局",
            "文化和旅游局", "科学技术委员会", "卫生健康委员会", "教育局")


@dataclass(slots=True)
class Structure:
    """What stays the same for a department from one year to the next."""

    organisation: str
    leaves: list[str]
    size: dict[str, int]
    nonfiscal_leaves: list[str]
    nonfiscal_sources: list[str]
    nonfiscal_spending: list[str]
    economic: list[str]
    abroad: bool
    vehicle_purchase: bool


def is_basic(code: str) -> bool:
    """Whether a 项 carries basic (running) spending rather than project spending."""
    return code.startswith(_BASIC_PREFIXES) or FUNCTION_ITEMS[code] in _BASIC_MARKERS


def structure(seed: int) -> Structure:
    """The department drawn from ``seed``, the same in every year."""
    rng = random.Random(f"xlbudget-structure:{seed}")
    organisation = rng.choice(_PLACES) + rng.choice(_BUREAUS)
    items_by_class: dict[str, list[str]] = {}
    for code in FUNCTION_ITEMS:
        if len(code) == 5:
            items_by_class.setdefault(code[:3], []).append(code)
    fund = rng.random() < 0.4
    soe = rng.random() < 0.25
    # Classes 229/223 carry fund and state-capital money; with them a department still has at
    # most six classes.
    optional = [c for c in items_by_class if c not in CORE_CLASSES and c not in ("223", "229")]
    classes = list(CORE_CLASSES) + rng.sample(optional, rng.randint(0, 2 - fund - soe))
    leaves: list[str] = []
    for cls in classes:
        kuan = items_by_class[cls]
        for k in rng.sample(kuan, min(len(kuan), rng.randint(1, 3))):
            xiang = [c for c in FUNCTION_ITEMS if len(c) == 7 and c.startswith(k)]
            leaves += rng.sample(xiang, min(len(xiang), rng.randint(1, 3)))
    # 201 always has its running costs, as every administrative department does.
    if not any(FUNCTION_ITEMS[c] == "行政运行" and c.startswith("201") for c in leaves):
        first_kuan = next(c[:5] for c in sorted(leaves) if c.startswith("201"))
        leaves.append(first_kuan + "01")
    if fund:
        leaves.append(FUND_ITEM)
    if soe:
        leaves.append(SOE_ITEM)
    leaves.sort()
    size = {}
    for c in leaves:
        if FUNCTION_ITEMS[c] in _BASIC_MARKERS:
            size[c] = rng.randint(8_000_000, 30_000_000)
        else:
            size[c] = rng.randint(150_000, 8_000_000)
    fiscal_leaves = [c for c in leaves if c not in (FUND_ITEM, SOE_ITEM)]
    nonfiscal = rng.random() < 0.6
    nf_leaves = rng.sample(fiscal_leaves, rng.randint(1, 3)) if nonfiscal else []
    nf_sources = (sorted(rng.sample(NONFISCAL_SOURCES, rng.randint(1, 3)),
                         key=NONFISCAL_SOURCES.index) if nonfiscal else [])
    nf_spending = [s for s in NONFISCAL_SPENDING
                   if nonfiscal and (s != "operating" or "operating" in nf_sources)
                   and rng.random() < 0.4]
    abroad = rng.random() < 0.5
    vehicle_purchase = rng.random() < 0.4
    economic = list(_PERSONNEL_ALWAYS) + rng.sample(_PERSONNEL_SOME, rng.randint(1, 3))
    economic += list(_FAMILY_ALWAYS) + rng.sample(_FAMILY_SOME, rng.randint(0, 3))
    economic += list(_PUBLIC_ALWAYS) + rng.sample(_PUBLIC_SOME, rng.randint(2, 5))
    economic += ["30217", "30231"] + (["30212"] if abroad else [])
    if rng.random() < 0.6 or vehicle_purchase:
        economic += rng.sample(_CAPITAL_SOME, rng.randint(1, 2))
        if vehicle_purchase:
            economic.append("31013")
    return Structure(organisation, leaves, size, nf_leaves, nf_sources, nf_spending,
                      sorted(set(economic)), abroad, vehicle_purchase)

