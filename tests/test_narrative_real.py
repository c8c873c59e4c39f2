"""The narrative check on real published 说明 (issue 14).

The specimen (巴中市政务服务和大数据管理局, 2020) is written to a .docx with its text as
published; its tables are the figures the narrative implies, written by the project's workbook
writer and read back through calamine and recognition. Every enumerated defect must be reported
by its rule on its figure, and nothing else. Excerpts of other published 说明 must raise nothing
but their own enumerated defects.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "narrative"))

from real import HERE, bazhong_blocks, bazhong_dataset, bazhong_defects, score
from shapes import EXCERPTS, Excerpt

from xlbudget.engine import analyse
from xlbudget.generate import write
from xlbudget.model import WorkbookModel
from xlbudget.narrative import check_narrative, mark_docx
from xlbudget.narrative.docx_source import Block, read_docx, write_docx
from xlbudget.sources.files import read_workbook


@pytest.fixture(scope="module")
def bazhong(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("bazhong")
    ds = bazhong_dataset()
    write(ds, d / "巴中市政务服务和大数据管理局.xlsx", "shanghai")
    write(ds.prior, d / "2019.xlsx", "shanghai")
    write_docx(bazhong_blocks(), d / "巴中市政务服务和大数据管理局.docx")
    book = analyse(read_workbook(d / "巴中市政务服务和大数据管理局.xlsx"), "巴中.xlsx")
    prior = analyse(read_workbook(d / "2019.xlsx"), "2019.xlsx")
    docx = d / "巴中市政务服务和大数据管理局.docx"
    return {"dir": d, "docx": docx, "book": book, "prior": prior,
            "paragraphs": {p.index: p.text for p in read_docx(docx).paragraphs}}


def test_tables_are_consistent(bazhong: dict) -> None:
    """The workbook the narrative implies is a clean one: all nine tables, no error."""
    for a in (bazhong["book"], bazhong["prior"]):
        assert sorted(a.model.tables) == [f"T{i}" for i in range(1, 10)]
        assert [f.message for f in a.result.findings if f.severity == "error"] == []


def test_text_kept_as_published(bazhong: dict) -> None:
    """Every line of the specimen is a paragraph or table-cell paragraph of the .docx."""
    import re

    texts = "\n".join(bazhong["paragraphs"].values())
    source = (HERE / "bazhong-2020.txt").read_text(encoding="utf-8")
    for line in source.splitlines():
        line = re.sub(r"\[image: [^\]]*\]", "", line).strip("\t")
        if line.strip():
            assert line in texts, line


@pytest.mark.parametrize("with_prior", [True, False])
def test_every_defect_found_and_nothing_else(bazhong: dict, with_prior: bool) -> None:
    prior = bazhong["prior"].model if with_prior else None
    found = check_narrative(bazhong["docx"], bazhong["book"].model, prior)
    result = score(found, bazhong["paragraphs"], bazhong_defects(with_prior))
    assert [(d.rule, d.quote, d.figure) for d in result.missed] == []
    assert [(f.rule, f.message) for f in result.false] == []
    assert len(result.found) == (39 if with_prior else 37)


def test_locations_use_the_document_own_labels(bazhong: dict) -> None:
    found = check_narrative(bazhong["docx"], bazhong["book"].model, bazhong["prior"].model)
    parts = {f.extra["location"]["part"] for f in found}
    # The document numbers no 三 before 名词解释, leaves 一 to 三 of 第二部分 unnumbered and
    # labels the attachments 第四部分.
    assert parts == {"第二部分 收入支出决算总体情况说明",
                     "第二部分 四、财政拨款收入支出决算总体情况说明",
                     "第二部分 五、一般公共预算财政拨款支出决算情况说明",
                     "第二部分 六、一般公共预算财政拨款基本支出决算情况说明",
                     "第二部分 七、“三公”经费财政拨款支出决算情况说明",
                     "第二部分 十、其他重要事项的情况说明", "名词解释", "第四部分 附件"}


def test_blame_falls_on_the_wrong_amount(bazhong: dict) -> None:
    """三公 total 7.21 (table 7.77) with 完成预算93.64% (right for 7.21 against 7.70): the
    amount is reported, the rate is not."""
    found = check_narrative(bazhong["docx"], bazhong["book"].model, bazhong["prior"].model)
    sentence = [f for f in found if "支出决算为7.21万元" in f.extra["location"]["quote"]]
    assert [(f.rule, f.actual, f.expected) for f in sentence] == [
        ("N-amount", "7.21", "7.77"), ("N-residue", "(或与预算数持平)", None)]


def test_marked_copy_of_the_specimen(bazhong: dict, tmp_path: Path) -> None:
    found = check_narrative(bazhong["docx"], bazhong["book"].model, bazhong["prior"].model)
    out = tmp_path / "标注.docx"
    assert mark_docx(bazhong["docx"], found, out) == len(found)
    assert read_docx(out).paragraphs[0].text == read_docx(bazhong["docx"]).paragraphs[0].text


def _new_findings(bazhong: dict, blocks: list[Block], path: Path) -> list:
    """Findings of the specimen changed to ``blocks`` that the specimen itself does not get."""
    write_docx(blocks, path)
    before = {(f.rule, f.message) for f in check_narrative(bazhong["docx"],
                                                            bazhong["book"].model)}
    return [f for f in check_narrative(path, bazhong["book"].model)
            if (f.rule, f.message) not in before]


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=[e.name for e in EXCERPTS])
def test_published_excerpts(excerpt: Excerpt, tmp_path: Path) -> None:
    """No workbook: the internal checks (rates against stated amounts, years, residue) run."""
    path = tmp_path / "说明.docx"
    write_docx([Block("p", t) for t in excerpt.paragraphs], path)
    found = check_narrative(path, WorkbookModel(str(path), year=excerpt.year))
    paragraphs = {p.index: p.text for p in read_docx(path).paragraphs}
    result = score(found, paragraphs, excerpt.defects)
    assert [(d.rule, d.quote) for d in result.missed] == []
    assert [(f.rule, f.message) for f in result.false] == []


def test_itemised_receptions_add_up_to_their_total(bazhong: dict, tmp_path: Path) -> None:
    """七 lists five receptions after 共计支出0.56万元，具体内容包括：; they add up (5600 元,
    35 人次). One item changed breaks both sums, each reported on the total."""
    blocks = bazhong_blocks()
    target = next(b for b in blocks if "共计支出1380元" in b.text)
    target.text = target.text.replace("共计支出1380元", "共计支出1480元").replace(
        "一行8人次", "一行9人次")
    new = _new_findings(bazhong, blocks, tmp_path / "说明.docx")
    assert sorted((f.rule, f.actual, f.expected) for f in new) == [
        ("N-parts", "0.56", "0.57"), ("N-parts", "35", "36")]


def test_locations_name_the_sub_heading_as_written(bazhong: dict) -> None:
    found = check_narrative(bazhong["docx"], bazhong["book"].model, bazhong["prior"].model)
    share = next(f for f in found if f.rule == "N-share")
    assert share.extra["location"]["heading"] == "（二）一般公共预算财政拨款支出决算结构情况"
    residue = next(f for f in found if f.rule == "N-residue")
    assert residue.extra["location"]["heading"] == "（三）一般公共预算财政拨款支出决算具体情况"


def test_target_tables_agree_with_the_summaries(bazhong: dict, tmp_path: Path) -> None:
    """十 summarises each project (执行数为24.63万元); its 项目绩效目标完成情况表 states the same
    in 元 (246267元). A table that disagrees is reported on its cell."""
    blocks = bazhong_blocks()
    table = next(b for b in blocks if b.kind == "table"
                 and any("优化营商环境" in c for row in b.rows for c in row))
    table.rows = [[c.replace("246267元", "256267元") for c in row] for row in table.rows]
    new = _new_findings(bazhong, blocks, tmp_path / "说明.docx")
    assert [(f.rule, f.actual, f.expected) for f in new] == [("N-duplicate", "256267", "246300")]


@pytest.mark.parametrize("name", ["杜集", "六安"])
def test_budget_comparisons_against_the_published_table(tmp_path: Path, name: str) -> None:
    """杜集区政府办 and 六安市工商业联合会 2021 compare each 三公 item with its budget
    ("与2021年度预算相比"); with the 三公 table published beside them, the changes are judged
    against the table's 预算数: 杜集's three defects are found, 六安 gets nothing."""
    from real import duji_dataset, liuan_dataset
    from shapes import DUJI_WITH_TABLE

    dataset, defects = {"杜集": (duji_dataset, DUJI_WITH_TABLE), "六安": (liuan_dataset, ())}[name]
    write(dataset(), tmp_path / "三公.xlsx", "central")
    model = analyse(read_workbook(tmp_path / "三公.xlsx"), "三公.xlsx").model
    excerpt = next(e for e in EXCERPTS if e.name.startswith(name))
    path = tmp_path / "说明.docx"
    write_docx([Block("p", t) for t in excerpt.paragraphs], path)
    paragraphs = {p.index: p.text for p in read_docx(path).paragraphs}
    result = score(check_narrative(path, model), paragraphs, defects)
    assert [(d.rule, d.quote) for d in result.missed] == []
    assert [(f.rule, f.message) for f in result.false] == []


_FRAGMENTS = [
    "2020年", "与2019年相比，", "比去年", "与2021年度预算相比，", "比预算", "收、支总计",
    "本年收入合计", "一般公共预算财政拨款支出", "“三公”经费", "公务接待费支出", "外宾接待",
    "其中：", "主要包括：", "具体内容包括：", "1.", "2.", "（3）", "增加", "减少", "增长", "下降",
    "占", "完成预算", "资金使用率", "年底结余", "共支付项目资金", "下达项目资金",
    "决算数大于预算数",
    "小于/等于", "（或与预算数持平）", "主要用于职工基本医疗保险缴费", "项目", "执行数为",
    "预算数为", "0", "0.00", "12.6", "1042.19", "7.77", "100", "%", "万元", "元", "批次", "人次",
    "，", "；", "。", "：",
]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=30).map("".join),
                min_size=1, max_size=8))
def test_any_sentence_of_these_shapes_is_checked_without_error(
        tmp_path_factory: pytest.TempPathFactory, bazhong: dict, paragraphs: list[str]) -> None:
    """Sentences built from the real shapes' pieces, in any order, under the 三公 and 十 headings:
    the check finishes and every finding points into its paragraph."""
    path = tmp_path_factory.mktemp("fuzz") / "说明.docx"
    blocks = [Block("p", "七、“三公”经费财政拨款支出决算情况说明"), *map(lambda t: Block("p", t),
              paragraphs[:4]), Block("p", "十、其他重要事项的情况说明"),
              *map(lambda t: Block("p", t), paragraphs[4:])]
    write_docx(blocks, path)
    texts = {p.index: p.text for p in read_docx(path).paragraphs}
    for f in check_narrative(path, bazhong["book"].model, bazhong["prior"].model):
        loc = f.extra["location"]
        assert 0 <= loc["start"] <= loc["end"] <= len(texts[loc["paragraph"]]), f.message
        assert f.message and f.rule.startswith("N-")


def test_command_line_on_the_specimen(bazhong: dict) -> None:
    """`xlbudget check 单位.xlsx --narrative 说明.docx --prior 上年.xlsx --format json`: the
    workbook is clean, every narrative finding is one of the enumerated defects, exit 1."""
    import json

    from click.testing import CliRunner

    from xlbudget.cli import main

    d = bazhong["dir"]
    res = CliRunner().invoke(main, ["check", str(d / "巴中市政务服务和大数据管理局.xlsx"),
                                    "--narrative", str(bazhong["docx"]), "--prior",
                                    str(d / "2019.xlsx"), "--format", "json"])
    assert res.exit_code == 1, res.output
    files = json.loads(res.output)["files"]
    findings = [f for f in files[0]["findings"] if f["rule"].startswith("N-")]
    assert {f["rule"] for f in files[0]["findings"]} - {f["rule"] for f in findings} <= {
        "T2-b", "T3-a", "T3-b", "T5-a", "T5-b"}  # rounding notes of the workbook (info)
    assert len(findings) == len(bazhong_defects(True))
    assert all(f["location"]["file"] == "巴中市政务服务和大数据管理局.docx" for f in findings)
