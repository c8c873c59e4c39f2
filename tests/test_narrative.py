"""Narrative (情况说明) checks on real files: generated workbooks read back through calamine and
recognition, narratives written from the template with python-docx, then perturbed."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlbudget import calc
from xlbudget.engine import analyse
from xlbudget.generate import generate, write
from xlbudget.model import WorkbookModel
from xlbudget.narrative import check_narrative
from xlbudget.narrative.docx_source import Block, read_docx, write_docx
from xlbudget.narrative.facts import table_facts
from xlbudget.narrative.generate import narrative_blocks
from xlbudget.sources.files import read_workbook


def _model(path: Path) -> WorkbookModel:
    return analyse(read_workbook(path), str(path)).model


@pytest.fixture(scope="module")
def dept(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("narr")
    ds = generate(7)
    write(ds, d / "dept.xlsx", "shanghai")
    write(ds.prior, d / "prior.xlsx", "shanghai")
    model, prior = _model(d / "dept.xlsx"), _model(d / "prior.xlsx")
    return {"dir": d, "model": model, "prior": prior, "facts": table_facts(model),
            "blocks": narrative_blocks(model, prior, seed=7)}


def _wan(yuan: Decimal) -> str:
    return str(calc.round_half_up(yuan / 10000, 2))


def _write(dept: dict, blocks: list[Block], name: str) -> Path:
    path = dept["dir"] / name
    write_docx(blocks, path)
    return path


def _perturb(dept: dict, contains: str, old: str, new: str, name: str,
             *, prior: bool = True) -> tuple[list, int]:
    """Replace ``old`` by ``new`` in the one block containing ``contains``; check the written
    document; return the findings and the paragraph number of the changed block."""
    blocks = [Block(b.kind, b.text, [list(r) for r in b.rows]) for b in dept["blocks"]]
    hits = [b for b in blocks if contains in b.text]
    assert len(hits) == 1, f"{contains!r} in {len(hits)} blocks"
    assert old in hits[0].text, (old, hits[0].text)
    hits[0].text = hits[0].text.replace(old, new, 1)
    path = _write(dept, blocks, name)
    para = next(p.index for p in read_docx(path).paragraphs if p.text == hits[0].text)
    found = check_narrative(path, dept["model"], dept["prior"] if prior else None)
    return found, para


def _only(found: list, rule: str) -> dict:
    hits = [f for f in found if f.rule == rule]
    assert len(hits) == 1, [(f.rule, f.message) for f in found]
    return hits[0]


def _figure(text: str, pattern: str) -> str:
    m = re.search(pattern, text)
    assert m, (pattern, text)
    return m.group(1)


def _block(dept: dict, contains: str) -> str:
    return next(b.text for b in dept["blocks"] if contains in b.text)


# --- clean documents give no finding ---------------------------------------------------------

@pytest.mark.parametrize(("seed", "layout"), [(7, "shanghai"), (11, "central"), (4, "stacked")])
def test_clean_narrative_has_no_finding(tmp_path: Path, seed: int, layout: str) -> None:
    ds = generate(seed)
    write(ds, tmp_path / "a.xlsx", layout)
    write(ds.prior, tmp_path / "p.xlsx", layout)
    model, prior = _model(tmp_path / "a.xlsx"), _model(tmp_path / "p.xlsx")
    write_docx(narrative_blocks(model, prior, seed=seed), tmp_path / "a.docx")
    assert check_narrative(tmp_path / "a.docx", model, prior) == []
    # Without last year's workbook the changes are taken from the text: still consistent.
    assert check_narrative(tmp_path / "a.docx", model, None) == []


def test_sections_and_year_are_found(dept: dict) -> None:
    from xlbudget.narrative.parse import parse

    path = _write(dept, dept["blocks"], "clean.docx")
    n = parse(read_docx(path))
    assert n.year == dept["model"].year
    assert [k for k in n.found if k.startswith("S")] == [f"S{i}" for i in range(1, 11)]
    assert {"P1", "P2", "P3", "P4"} <= set(n.found)


# --- each perturbation is found, located, with the right value --------------------------------

def test_total_given_as_income_plus_expense(dept: dict) -> None:
    grand = dept["facts"]["in.grand_total"].yuan
    text = f"收、支总计{_wan(grand)}万元"
    found, para = _perturb(dept, text, text, f"收、支总计{_wan(2 * grand)}万元", "t1.docx")
    f = _only(found, "N-amount")
    loc = f.extra["location"]
    assert (loc["paragraph"], f.actual, f.expected) == (para, _wan(2 * grand), _wan(grand))
    assert loc["part"] == "第二部分 一、收入支出决算总体情况说明"
    assert "收入总计与支出总计相加" in f.message
    assert f.sheet is None and f.cell is None and f.related


def test_share_on_wrong_base(dept: dict) -> None:
    facts = dept["facts"]
    basic, total = facts["T3.basic"].yuan, facts["ex.expense_total"].yuan
    right = calc.pct(basic, total)
    wrong = calc.pct(basic, facts["ex.grand_total"].yuan)
    assert wrong != right
    found, para = _perturb(dept, "年本年支出合计", f"占{right}%", f"占{wrong}%", "share.docx")
    f = _only(found, "N-share")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, str(wrong),
                                                                        str(right))


def test_growth_rate_on_wrong_base(dept: dict) -> None:
    text = _block(dept, "一般公共预算财政拨款支出减少") if "减少" in _block(
        dept, "占本年支出合计的") else _block(dept, "一般公共预算财政拨款支出增加")
    rate = _figure(text, r"(?:增长|下降)(\d+\.\d\d)%")
    now = dept["facts"]["T5.total"].yuan
    before = dept["prior"] and table_facts(dept["prior"])["T5.total"].yuan
    wrong = calc.round_half_up(abs(now - before) * 100 / now, 2)  # this year as the base
    found, para = _perturb(dept, text[:30], f"{rate}%", f"{wrong}%", "growth.docx")
    f = _only(found, "N-growth")
    assert f.extra["location"]["paragraph"] == para
    assert Decimal(f.expected) == calc.growth(now, before)


def test_growth_from_zero_base(dept: dict) -> None:
    text = _block(dept, "本部门机关运行经费支出")
    amount = _figure(text, r"机关运行经费支出(\d+\.\d\d)万元")
    change = _figure(text, r"(?:增加|减少)(\d+\.\d\d)万元")
    rate = _figure(text, r"(?:增长|下降)(\d+\.\d\d)%")
    new = re.sub(r"(增加|减少)\d+\.\d\d万元，(增长|下降)\d+\.\d\d%",
                 f"增加{amount}万元，增长100.00%", text)
    assert (change, rate) != (amount, "100.00")
    found, para = _perturb(dept, text, text, new, "zero.docx")
    f = _only(found, "N-zero-base")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, "100.00", None)


def test_completion_against_zero_budget(dept: dict) -> None:
    text = next(b.text for b in dept["blocks"] if "（项）：年初预算为" in b.text)
    budget = _figure(text, r"年初预算为(\d+\.\d\d)万元")
    found, para = _perturb(dept, text[:40], f"年初预算为{budget}万元", "年初预算为0.00万元",
                           "zb.docx")
    f = _only(found, "N-zero-budget")
    assert f.extra["location"]["paragraph"] == para and f.expected is None


def test_wrong_completion_rate_of_sangong(dept: dict) -> None:
    facts = dept["facts"]
    right = calc.rate(facts["T7.total_final"].yuan, facts["T7.total_budget"].yuan)
    wrong = calc.rate(facts["T7.total_budget"].yuan, facts["T7.total_final"].yuan)
    found, para = _perturb(dept, "“三公”经费财政拨款支出决算为", f"完成预算{right}%",
                           f"完成预算{wrong}%", "rate.docx")
    f = _only(found, "N-completion")
    assert (f.extra["location"]["paragraph"], f.expected) == (para, str(right))
    assert f.related  # the T7 cells


def test_comparison_with_wrong_year(dept: dict) -> None:
    y = dept["model"].year
    found, para = _perturb(dept, "年度收、支总计", f"与{y - 1}年相比", f"与{y - 2}年相比",
                           "yr.docx")
    f = _only(found, "N-year")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, str(y - 2),
                                                                        str(y - 1))


def test_outdated_class_names(dept: dict) -> None:
    found, para = _perturb(dept, "主要用于以下方面", "卫生健康（类）", "医疗卫生与计划生育（类）",
                           "old.docx")
    f = _only(found, "N-outdated")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (
        para, "医疗卫生与计划生育支出", "卫生健康支出")
    # The outdated name still names class 210: its amount and share are checked, no other finding.
    assert [x.rule for x in found] == ["N-outdated"]
    item = next(b.text for b in dept["blocks"] if "行政事业单位养老支出（款）" in b.text
                and "（项）" in b.text)
    found, para = _perturb(dept, item[:40], "行政事业单位养老支出（款）",
                           "行政事业单位离退休（款）",
                           "old2.docx")
    f = _only(found, "N-outdated")
    assert (f.extra["location"]["paragraph"], f.expected) == (para, "行政事业单位养老支出")


def test_wan_yuan_confused(dept: dict) -> None:
    basic = dept["facts"]["T3.basic"].yuan
    found, para = _perturb(dept, "年本年支出合计", f"基本支出{_wan(basic)}万元",
                           f"基本支出{calc.round_half_up(basic, 2)}万元", "unit.docx")
    f = _only(found, "N-unit")
    assert (f.extra["location"]["paragraph"], f.expected) == (para, _wan(basic))


def test_wrong_class_amount(dept: dict) -> None:
    text = _block(dept, "主要用于以下方面")
    amount = _figure(text, r"（类）支出(\d+\.\d\d)万元")
    wrong = str(Decimal(amount) + Decimal("12.30"))
    found, para = _perturb(dept, "主要用于以下方面", f"支出{amount}万元", f"支出{wrong}万元",
                           "cls.docx")
    f = _only(found, "N-amount")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, wrong, amount)


def test_shares_of_one_whole_do_not_add_up(dept: dict) -> None:
    text = _block(dept, "本部门政府采购支出总额")
    share = _figure(text, r"服务支出\d+\.\d\d万元，占(\d+\.\d\d)%")
    wrong = str(Decimal(share) + 5)
    found, para = _perturb(dept, "本部门政府采购支出总额", f"占{share}%", f"占{wrong}%", "sum.docx")
    f = _only(found, "N-share-sum")
    assert (f.extra["location"]["paragraph"], f.expected) == (para, "100.00")
    assert Decimal(f.actual) == 100 + 5


def test_parts_exceed_total(dept: dict) -> None:
    text = _block(dept, "本部门政府采购支出总额")
    total = _figure(text, r"总额(\d+\.\d\d)万元")
    wrong = str(Decimal(total) - 50)
    parts = sum(Decimal(v) for v in re.findall(r"(?:货物|工程|服务)支出(\d+\.\d\d)万元", text))
    found, para = _perturb(dept, "本部门政府采购支出总额", f"总额{total}万元", f"总额{wrong}万元",
                           "parts.docx")
    f = _only(found, "N-parts")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, wrong, str(parts))


def test_same_quantity_twice_with_different_values(dept: dict) -> None:
    body = _block(dept, "本部门机关运行经费支出")
    amount = Decimal(_figure(body, r"机关运行经费支出(\d+\.\d\d)万元"))
    text = _block(dept, "严格控制在预算以内")
    shown = _figure(text, r"支出([\d,]+\.\d\d)元")
    found, para = _perturb(dept, "严格控制在预算以内", shown, "1,234.00", "dup.docx")
    f = _only(found, "N-duplicate")
    assert (f.extra["location"]["paragraph"], f.actual) == (para, "1234.00")
    assert Decimal(f.expected) == amount * 10000
    assert f.extra["location"]["part"] == "第四部分 附件"


def test_placeholder_left_in(dept: dict) -> None:
    found, para = _perturb(dept, "授予中小企业合同金额", "授予中小企业合同金额", "授予XX企业合同金"
                                                             "额",
                           "ph.docx")
    f = _only(found, "N-placeholder")
    assert (f.extra["location"]["paragraph"], f.actual) == (para, "XX")


def test_performance_table_rate_and_total(dept: dict) -> None:
    blocks = [Block(b.kind, b.text, [list(r) for r in b.rows]) for b in dept["blocks"]]
    table = next(b for b in blocks if b.kind == "table" and "执行率" in b.rows[0])
    row = table.rows[1]
    right = row[3]
    row[3] = "87.65%" if right != "87.65%" else "88.00%"
    total = table.rows[-1]
    budget = Decimal(total[1].replace(",", "")) + 1000
    final = Decimal(total[2].replace(",", ""))
    total[1], total[3] = f"{budget:,}", f"{calc.rate(final, budget)}%"  # rate kept consistent
    path = _write(dept, blocks, "perf.docx")
    found = check_narrative(path, dept["model"], dept["prior"])
    doc = read_docx(path)
    f = _only(found, "N-completion")
    assert doc.para(f.extra["location"]["paragraph"]).text == row[3]
    assert f.expected == right.rstrip("%")
    p = _only(found, "N-parts")
    assert doc.para(p.extra["location"]["paragraph"]).text == f"{budget:,}"
    assert Decimal(p.expected) == budget - 1000


def test_report_year_differs_from_workbook(dept: dict) -> None:
    y = dept["model"].year
    found, para = _perturb(dept, dept["blocks"][0].text, f"{y}年度部门决算", f"{y + 1}年度部门决算",
                           "title.docx")
    f = _only(found, "N-year")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, str(y + 1), str(y))


def test_change_checked_against_last_years_table(dept: dict) -> None:
    text = _block(dept, "占本年支出合计的")
    change = _figure(text, r"(?:增加|减少)(\d+\.\d\d)万元")
    wrong = str(Decimal(change) + 1)
    found, para = _perturb(dept, "占本年支出合计的", f"{change}万元", f"{wrong}万元", "chg.docx")
    f = _only(found, "N-growth")
    assert f.extra["location"]["paragraph"] == para
    assert abs(Decimal(f.expected)) == Decimal(change)


# --- figures the tables cannot confirm: internal consistency ---------------------------------

def test_rate_against_its_stated_amounts(dept: dict) -> None:
    text = _block(dept, "本部门机关运行经费支出")
    amount = Decimal(_figure(text, r"机关运行经费支出(\d+\.\d\d)万元"))
    change = Decimal(_figure(text, r"(?:增加|减少)(\d+\.\d\d)万元"))
    rate = _figure(text, r"(?:增长|下降)(\d+\.\d\d)%")
    sign = 1 if "增加" in text else -1
    right = calc.growth(amount, amount - sign * change)
    found, para = _perturb(dept, text, f"{rate}%", f"{Decimal(rate) + 3}%", "int-rate.docx")
    f = _only(found, "N-growth")
    assert (f.extra["location"]["paragraph"], Decimal(f.expected)) == (para, right)


def test_share_of_a_stated_base(dept: dict) -> None:
    text = _block(dept, "授予中小企业合同金额")
    sme = Decimal(_figure(text, r"合同金额(\d+\.\d\d)万元"))
    total = Decimal(_figure(_block(dept, "本部门政府采购支出总额"), r"总额(\d+\.\d\d)万元"))
    share = _figure(text, r"总额的(\d+\.\d\d)%")
    found, para = _perturb(dept, text, f"{share}%", f"{Decimal(share) - 7}%", "int-share.docx")
    f = _only(found, "N-share")
    assert (f.extra["location"]["paragraph"], f.expected) == (para, str(calc.pct(sme, total)))


def test_vehicle_counts_exceed_their_total(dept: dict) -> None:
    text = _block(dept, "共有车辆")
    total = int(_figure(text, r"共有车辆(\d+)辆"))
    parts = sum(int(n) for n in re.findall(r"用车(\d+)辆", text))
    found, para = _perturb(dept, text, f"共有车辆{total}辆", f"共有车辆{parts - 1}辆",
                           "cars.docx")
    f = _only(found, "N-parts")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (
        para, str(parts - 1), str(parts))


def test_template_alternatives_left_in(dept: dict) -> None:
    text = _block(dept, "占本年支出合计的")
    verb = "增加" if "支出增加" in text else "减少"
    trend = "增长" if verb == "增加" else "下降"
    new = text.replace(f"支出{verb}", "支出增加（减少）", 1).replace(trend, "增长（下降）", 1)
    found, para = _perturb(dept, text, text, new, "alt.docx")
    # Flagged as left-over template words; the figures themselves are still right.
    assert [(f.rule, f.actual) for f in found] == [("N-residue", "增加(减少)"),
                                                   ("N-residue", "增长(下降)")]
    assert {f.extra["location"]["paragraph"] for f in found} == {para}


def test_wrong_economic_item_in_basic_spending(dept: dict) -> None:
    text = _block(dept, "其中：人员经费")
    name, amount = re.search(r"主要包括(\w+?)(\d+\.\d\d)万元", text).groups()
    wrong = str(Decimal(amount) + 10)
    found, para = _perturb(dept, text, f"{name}{amount}万元", f"{name}{wrong}万元", "eco.docx")
    f = _only(found, "N-amount")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, wrong, amount)
    assert f.related[0]["sheet"] == dept["model"].tables["T6"].sheet


def test_assets_at_the_end_of_another_year(dept: dict) -> None:
    y = dept["model"].year
    found, para = _perturb(dept, "共有车辆", f"截至{y}年12月31日", f"截至{y - 1}年12月31日",
                           "yearend.docx")
    f = _only(found, "N-year")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, str(y - 1), str(y))


def test_vehicle_count_contradicts_purchase_amount(dept: dict) -> None:
    text = _block(dept, "购置公务用车")
    count = int(_figure(text, r"购置公务用车(\d+)辆"))
    bought = dept["facts"]["T7.vehicle_purchase_final"].yuan > 0
    new = 0 if bought else 2
    assert (count > 0) == bought
    found, para = _perturb(dept, text, f"购置公务用车{count}辆", f"购置公务用车{new}辆",
                           "count.docx")
    f = _only(found, "N-count")
    assert (f.extra["location"]["paragraph"], f.actual) == (para, str(new))


def test_budget_execution_rate_in_the_evaluation_report(dept: dict) -> None:
    text = _block(dept, "预算执行率")
    budget = Decimal(_figure(text, r"预算数(\d+\.\d\d)万元"))
    spent = Decimal(_figure(text, r"执行数(\d+\.\d\d)万元"))
    rate = _figure(text, r"执行率(\d+\.\d\d)%")
    found, para = _perturb(dept, text, f"执行率{rate}%", "执行率100.00%", "exec.docx")
    f = _only(found, "N-completion")
    assert (f.extra["location"]["paragraph"], f.expected) == (para, str(calc.rate(spent, budget)))


def test_staff_parts_exceed_their_total(dept: dict) -> None:
    text = _block(dept, "年末实有人员")
    total = int(_figure(text, r"年末实有人员(\d+)人"))
    found, para = _perturb(dept, text, f"实有人员{total}人", f"实有人员{total - 1}人",
                           "staff.docx")
    f = _only(found, "N-parts")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, str(total - 1),
                                                                        str(total))


# --- property: any figure of sections 一…九 changed is found, at its paragraph -----------------

_SECTION_FIGURES = re.compile(r"(\d+\.\d\d)(万元|%)")


def _determined(dept: dict) -> list[tuple[int, int]]:
    """(block, match) of every amount and percentage in 第二部分 一…九."""
    out, inside = [], False
    for i, b in enumerate(dept["blocks"]):
        if b.kind == "h2":
            inside = any(b.text.startswith(o + "、") for o in "一二三四五六七八九")
            if b.text.startswith("十、"):
                inside = False
        if inside and b.kind == "p":
            out.extend((i, j) for j, _ in enumerate(_SECTION_FIGURES.finditer(b.text)))
    return out


@settings(max_examples=30, deadline=None, derandomize=True)
@given(data=st.data())
def test_any_changed_figure_is_found_at_its_paragraph(dept: dict, data: st.DataObject) -> None:
    i, j = data.draw(st.sampled_from(_determined(dept)))
    blocks = [Block(b.kind, b.text, [list(r) for r in b.rows]) for b in dept["blocks"]]
    m = list(_SECTION_FIGURES.finditer(blocks[i].text))[j]
    value = Decimal(m.group(1))
    new = value + 1 if m.group(2) == "%" else calc.round_half_up(value * Decimal("1.1") + 1, 2)
    blocks[i].text = blocks[i].text[:m.start(1)] + str(new) + blocks[i].text[m.end(1):]
    path = dept["dir"] / "prop.docx"
    write_docx(blocks, path)
    para = next(p.index for p in read_docx(path).paragraphs if p.text == blocks[i].text)
    found = check_narrative(path, dept["model"], dept["prior"])
    assert found, blocks[i].text
    assert any(f.extra["location"]["paragraph"] == para for f in found), [
        (f.rule, f.message) for f in found]


# --- sentence shapes of published 说明 (issue 14) ---------------------------------------------

def _s5_total(dept: dict) -> str:
    return _block(dept, "占本年支出合计的")


def test_rate_without_percent_sign(dept: dict) -> None:
    text = _s5_total(dept)
    rate = _figure(text, r"(?:增长|下降)(\d+\.\d\d)%")
    found, para = _perturb(dept, text, f"{rate}%。", f"{rate}。", "nopct.docx")
    f = _only(found, "N-no-percent")
    assert (f.extra["location"]["paragraph"], f.actual) == (para, rate)
    assert len(found) == 1  # the rate itself is right


def test_rate_without_percent_sign_is_still_checked(dept: dict) -> None:
    text = _s5_total(dept)
    rate = _figure(text, r"(?:增长|下降)(\d+\.\d\d)%")
    found, _ = _perturb(dept, text, f"{rate}%。", "13.95。", "nopct2.docx")
    assert sorted(f.rule for f in found) == ["N-growth", "N-no-percent"]


def test_completion_against_zero_budget_in_text(dept: dict) -> None:
    text = _block(dept, "1.一般公共服务（类）")
    budget = _figure(text, r"年初预算为(\d+\.\d\d)万元")
    found, para = _perturb(dept, text, f"年初预算为{budget}万元", "年初预算为0万元",
                           "zerobudget.docx")
    f = _only(found, "N-zero-budget")
    assert f.extra["location"]["paragraph"] == para
    assert len(found) == 1


def test_growth_from_zero_base_in_text(dept: dict) -> None:
    text = _s5_total(dept)
    total = _figure(text, r"支出(\d+\.\d\d)万元")
    change = re.search(r"(?:增加|减少)\d+\.\d\d万元，(?:增长|下降)\d+\.\d\d%", text).group(0)
    found, para = _perturb(dept, text, change, f"增加{total}万元，增长100.00%", "zerobase.docx",
                           prior=False)
    f = _only(found, "N-zero-base")
    assert (f.extra["location"]["paragraph"], f.actual) == (para, "100.00")


def test_wrong_amount_with_its_rate_blames_the_amount(dept: dict) -> None:
    """职业年金 支出决算 245.53 where the table says 257.14, 完成预算 right for 245.53: the amount
    is reported, not the rate."""
    text = _block(dept, "8.社会保障和就业（类）")
    budget = Decimal(_figure(text, r"年初预算为(\d+\.\d\d)万元"))
    final = _figure(text, r"支出决算为(\d+\.\d\d)万元")
    wrong = Decimal(final) - Decimal("11.61")
    rate = _figure(text, r"完成预算(\d+\.\d\d)%")
    new_rate = calc.rate(wrong, budget)
    blocks = [Block(b.kind, b.text, [list(r) for r in b.rows]) for b in dept["blocks"]]
    target = next(b for b in blocks if b.text == text)
    target.text = text.replace(f"支出决算为{final}万元", f"支出决算为{wrong}万元").replace(
        f"完成预算{rate}%", f"完成预算{new_rate}%")
    path = _write(dept, blocks, "blame.docx")
    found = check_narrative(path, dept["model"], dept["prior"])
    assert [(f.rule, f.actual, f.expected) for f in found] == [("N-amount", str(wrong), final)]


def test_project_in_a_list_is_not_the_project_total(dept: dict) -> None:
    text = _block(dept, "14.住房保障（类）")
    item = "15.信息化建设项目支出2739.56万元，完成预算88.08%。"
    found, _ = _perturb(dept, text, text, text + item, "projects.docx")
    assert found == []


def test_foreign_guests_are_part_of_reception(dept: dict) -> None:
    text = _block(dept, "3.公务接待费支出决算")
    guests = "其中：外宾接待支出0.00万元，外宾接待0批次，0人次。"
    found, _ = _perturb(dept, text, text, text + guests, "guests.docx")
    assert found == []


def test_purpose_copied_from_the_previous_item(dept: dict) -> None:
    cars = _block(dept, "2.公务用车购置及运行维护费支出决算")
    purpose = re.search(r"主要用于[^。]+", cars).group(0)
    text = _block(dept, "3.公务接待费支出决算")
    found, para = _perturb(dept, text, "。全年国内", f"，{purpose}。全年国内", "copied.docx")
    f = _only(found, "N-copied")
    assert f.extra["location"]["paragraph"] == para
    assert len(found) == 1


def test_project_money_flows_checked_within_the_text(dept: dict) -> None:
    text = _block(dept, "共涉及项目")
    funds = Decimal(_figure(text, r"资金(\d+\.\d\d)万元"))
    spent = (funds * Decimal("0.8")).quantize(Decimal("0.01"))
    left = funds - spent
    right = calc.rate(spent, funds)
    ok = f"共支付项目资金{spent}万元，年底结余{left}万元，资金使用率{right}%。"
    assert _perturb(dept, text, text, text + ok, "flow-ok.docx")[0] == []
    bad = ok.replace(f"资金使用率{right}%", f"资金使用率{right - Decimal('0.50')}%")
    f = _only(_perturb(dept, text, text, text + bad, "flow-rate.docx")[0], "N-flow")
    assert f.expected == str(right)
    bad = ok.replace(f"年底结余{left}万元", f"年底结余{left + 3}万元")
    f = _only(_perturb(dept, text, text, text + bad, "flow-left.docx")[0], "N-flow")
    assert f.expected == str(left)


def test_sections_labelled_as_the_document_numbers_them(dept: dict) -> None:
    """Documents that put the tables in 第二部分 number the narrative 第三部分 (e.g. 柞水县审计局
    2020年部门决算, 云县民政局 2022年度部门决算): the location says so."""
    heading = next(b.text for b in dept["blocks"] if b.text.startswith("第二部分"))
    blocks = [Block(b.kind, b.text, [list(r) for r in b.rows]) for b in dept["blocks"]]
    for b in blocks:
        if b.text == heading:
            b.text = heading.replace("第二部分", "第三部分")
    grand = dept["facts"]["in.grand_total"].yuan
    old = f"收、支总计{_wan(grand)}万元"
    target = next(b for b in blocks if old in b.text)
    target.text = target.text.replace(old, f"收、支总计{_wan(grand * 2)}万元")
    path = _write(dept, blocks, "third.docx")
    f = _only(check_narrative(path, dept["model"], dept["prior"]), "N-amount")
    assert f.extra["location"]["part"] == "第三部分 一、收入支出决算总体情况说明"


def test_amount_where_the_table_has_zero_is_not_a_unit_confusion(dept: dict) -> None:
    text = _block(dept, "其中：公务用车购置费")
    found, para = _perturb(dept, text, "公务用车购置费0.00万元", "公务用车购置费1.53万元",
                           "zero-fact.docx")
    f = _only(found, "N-amount")
    assert (f.extra["location"]["paragraph"], f.actual, f.expected) == (para, "1.53", "0.00")


def test_wrong_amount_with_its_change_and_rates_blames_the_amount(dept: dict) -> None:
    """This year's amount mistyped, its share, change and growth computed from it: one finding,
    on the amount (the rates are right for the stated amount)."""
    text = _s5_total(dept)
    facts, prior = dept["facts"], table_facts(dept["prior"])
    now, before = facts["T5.total"].yuan, prior["T5.total"].yuan
    wrong = now + 1_000_000  # 100.00 万元 more
    share = calc.pct(wrong, facts["ex.expense_total"].yuan)
    change = wrong - before
    verb, trend = ("增加", "增长") if change >= 0 else ("减少", "下降")
    new = (f"{dept['model'].year}年一般公共预算财政拨款支出{_wan(wrong)}万元，占本年支出合计的"
           f"{share}%。与{dept['model'].year - 1}年相比，一般公共预算财政拨款支出{verb}"
           f"{_wan(abs(change))}万元，{trend}{abs(calc.growth(wrong, before))}%。")
    found, para = _perturb(dept, text, text, new, "blame-growth.docx")
    assert [(f.rule, f.actual, f.expected) for f in found] == [
        ("N-amount", _wan(wrong), _wan(now))]
    assert found[0].extra["location"]["paragraph"] == para


@pytest.mark.parametrize(("sentence", "residue"), [
    ("决算数小于/等于预算数的主要原因是据实结算。", "小于/等于"),
    ("比上年下降（增长）3.00%。", "下降(增长)"),
    ("决算数小于预算数（或与预算数持平）的主要原因是厉行节约。", "(或与预算数持平)"),
    ("决算数大小于预算数的主要原因是疫情。", "大小于"),
    ("主要原因是……", "原因是……"),
    ("说明项目绩效自评采用的组织实施步骤及方法。", "说明项目绩效自评采用的组织实施步骤及方法"),
    ("（注：请单位根据实际注明页码）", "(注:请单位根据实际注明页码)"),
    # written as meant: no residue
    ("各部门（或单位）按规定公开。", None),
    ("测评代表参评率大于或等于80%。", None),
    ("支出决算等于预算数，与上年持平。", None),
])
def test_template_residue_phrases(tmp_path: Path, sentence: str, residue: str | None) -> None:
    path = tmp_path / "r.docx"
    write_docx([Block("p", "十、其他重要事项的情况说明"), Block("p", sentence)], path)
    found = check_narrative(path, WorkbookModel(str(path), year=2023))
    assert [f.actual for f in found if f.rule == "N-residue"] == ([residue] if residue else [])


def test_purpose_copied_in_its_own_sentence(tmp_path: Path) -> None:
    """附件 shapes: "X支出A万元。主要用于…" per item; the same 用途 under another item is reported,
    different ones are not."""
    path = tmp_path / "p.docx"
    use = "主要用于机关及下属事业单位按照规定标准为职工缴纳的基本医疗保险。"
    items = [f"4.卫生健康支出1.9万元。{use}", f"5.住房保障支出20.54万元。{use}",
             "6.教育支出1.80万元。主要用于干部职工参加业务培训。"]
    write_docx([Block("p", "第四部分 附件")] + [Block("p", t) for t in items], path)
    found = check_narrative(path, WorkbookModel(str(path), year=2020))
    assert [(f.rule, f.extra["location"]["paragraph"]) for f in found] == [("N-copied", 3)]


def test_domestic_reception_listed_as_a_part(dept: dict) -> None:
    """"其中：国内公务接待支出A万元，外宾接待支出B万元": neither part is the 公务接待费 total."""
    text = _block(dept, "3.公务接待费支出决算")
    total = Decimal(_figure(text, r"公务接待费支出决算(\d+\.\d\d)万元"))
    domestic = (total - Decimal("1.00")).quantize(Decimal("0.01"))
    parts = f"其中：国内公务接待支出{domestic}万元，外宾接待支出1.00万元。"
    found, _ = _perturb(dept, text, text, text + parts, "domestic.docx")
    assert found == []
