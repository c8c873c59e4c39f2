"""Narrative documents as they arrive in practice: numbering lost, figures split over runs,
full-width digits, units in table headers, bad files; the marked copy; the command line."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from xlbudget import calc
from xlbudget.cli import main
from xlbudget.engine import analyse
from xlbudget.generate import generate, write
from xlbudget.narrative import NarrativeError, check_narrative, mark_docx
from xlbudget.narrative.docx_source import Block, read_docx, write_docx
from xlbudget.narrative.facts import table_facts
from xlbudget.narrative.generate import narrative_blocks
from xlbudget.narrative.parse import parse, strip_ordinal
from xlbudget.pipeline import check_file
from xlbudget.sources.files import read_workbook

_FULL = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


@pytest.fixture(scope="module")
def dept(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("docx")
    ds = generate(26)
    write(ds, d / "单位.xlsx", "central")
    model = analyse(read_workbook(d / "单位.xlsx"), str(d / "单位.xlsx")).model
    facts = table_facts(model)
    return {"dir": d, "model": model, "facts": facts, "blocks": narrative_blocks(model, seed=26)}


def _copy(blocks: list[Block]) -> list[Block]:
    return [Block(b.kind, b.text, [list(r) for r in b.rows]) for b in blocks]


def _wan(yuan: Decimal) -> str:
    return str(calc.round_half_up(yuan / 10000, 2))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_numbering_lost_and_headings_unstyled(dept: dict) -> None:
    blocks = _copy(dept["blocks"])
    for b in blocks:
        if b.kind.startswith("h"):
            b.kind, b.text = "p", strip_ordinal(b.text)  # Word's automatic numbering, lost
    path = dept["dir"] / "plain.docx"
    write_docx(blocks, path)
    n = parse(read_docx(path))
    assert [k for k in n.found if k.startswith("S")] == [f"S{i}" for i in range(1, 11)]
    assert check_narrative(path, dept["model"]) == []
    facts = dept["facts"]
    right = calc.pct(facts["T3.basic"].yuan, facts["ex.expense_total"].yuan)
    target = next(b for b in blocks if b.text.startswith(f"{dept['model'].year}年本年支出合计"))
    target.text = target.text.replace(f"占{right}%", "占12.34%", 1)
    write_docx(blocks, path)
    [f] = check_narrative(path, dept["model"])
    assert (f.rule, f.expected) == ("N-share", str(right))
    # The location names the section as the document does: here without its lost numbering.
    assert f.extra["location"]["part"] == "支出决算情况说明"


def _split_runs(path: Path, out: Path, contains: str, old: str, new: str) -> int:
    """Rewrite the paragraph containing ``contains`` as one run per character, alternately bold,
    with ``old`` replaced by ``new``; return its paragraph number (body paragraphs only)."""
    d = docx.Document(str(path))
    for i, p in enumerate(d.paragraphs):
        if contains in p.text:
            text = p.text.replace(old, new, 1)
            for r in list(p.runs):
                r._r.getparent().remove(r._r)
            for j, ch in enumerate(text):
                p.add_run(ch).bold = j % 2 == 0
            d.save(str(out))
            return i + 1
    raise AssertionError(contains)


def test_figure_split_over_runs_is_found_and_marked(dept: dict) -> None:
    d = dept["dir"]
    write_docx(dept["blocks"], d / "clean.docx")
    grand = dept["facts"]["in.grand_total"].yuan
    wrong = _wan(grand + 1230000)
    para = _split_runs(d / "clean.docx", d / "runs.docx", "年度收、支总计",
                       f"收、支总计{_wan(grand)}", f"收、支总计{wrong}")
    found = check_narrative(d / "runs.docx", dept["model"])
    [f] = found
    assert (f.rule, f.actual, f.expected) == ("N-amount", wrong, _wan(grand))
    assert f.extra["location"]["paragraph"] == para
    before = _digest(d / "runs.docx")
    assert mark_docx(d / "runs.docx", found, d / "runs-marked.docx") == 1
    assert _digest(d / "runs.docx") == before  # the input is never changed
    with pytest.raises(NarrativeError, match="不能覆盖原文件"):
        mark_docx(d / "runs.docx", found, d / "runs.docx")
    marked = docx.Document(str(d / "runs-marked.docx"))
    p = marked.paragraphs[para - 1]
    assert p.text == read_docx(d / "runs.docx").para(para).text
    lit = "".join(r.text for r in p.runs if r.font.highlight_color is not None)
    assert lit == f"{wrong}万元"
    # Formatting kept: the character runs still alternate bold (the comment mark is a run
    # without text).
    assert [bool(r.bold) for r in p.runs if r.text] == [i % 2 == 0 for i in range(len(p.text))]
    [c] = list(marked.comments)
    assert _wan(grand) in c.text and "N-amount" in c.text


def test_full_width_digits_and_punctuation(dept: dict) -> None:
    blocks = _copy(dept["blocks"])
    for b in blocks:
        if b.kind == "p":
            b.text = b.text.translate(_FULL).replace(",", "，")
    path = dept["dir"] / "full.docx"
    write_docx(blocks, path)
    assert check_narrative(path, dept["model"]) == []
    facts = dept["facts"]
    t5 = _wan(facts["T5.total"].yuan)
    target = next(b for b in blocks if "占本年支出合计的" in b.text)
    wrong = _wan(facts["T5.total"].yuan + 99990000)
    target.text = target.text.replace(t5.translate(_FULL), wrong.translate(_FULL), 1)
    write_docx(blocks, path)
    [f] = check_narrative(path, dept["model"])
    assert (f.rule, f.actual, f.expected) == ("N-amount", wrong, t5)
    loc = f.extra["location"]
    assert read_docx(path).para(loc["paragraph"]).text[loc["start"]:loc["end"]] == (
        f"{wrong}万元".translate(_FULL))


@pytest.mark.parametrize("unit_in", ["header", "line"])
def test_wan_yuan_in_table_headers(dept: dict, unit_in: str) -> None:
    blocks = _copy(dept["blocks"])
    i, table = next((i, b) for i, b in enumerate(blocks)
                    if b.kind == "table" and "决算数（万元）" in b.rows[0])
    if unit_in == "line":
        table.rows[0] = [h.replace("（万元）", "") for h in table.rows[0]]
        blocks.insert(i, Block("p", "金额单位：万元"))
    right = table.rows[1][2]
    table.rows[1][2] = str(Decimal(right) + 3)
    path = dept["dir"] / f"table-{unit_in}.docx"
    write_docx(blocks, path)
    [f] = check_narrative(path, dept["model"])
    assert (f.rule, f.expected, f.actual) == ("N-amount", right, table.rows[1][2])
    assert read_docx(path).para(f.extra["location"]["paragraph"]).text == table.rows[1][2]
    assert f.extra["location"]["part"].startswith("第二部分 七、")


@pytest.mark.parametrize(("name", "content", "says"), [
    ("文本.docx", b"just some text, not a zip", "不是 Word .docx 文档"),
    ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "旧版 Word 97-2003"),
    ("空.docx", b"", "文件为空"),
    ("坏.docx", b"PK\x03\x04broken zip", "不是 Word .docx 文档"),
])
def test_bad_input_gets_a_chinese_message(dept: dict, name: str, content: bytes,
                                          says: str) -> None:
    path = dept["dir"] / name
    path.write_bytes(content)
    with pytest.raises(NarrativeError) as err:
        check_narrative(path, dept["model"])
    assert name in str(err.value) and says in str(err.value)


def test_document_without_text_and_missing_file(dept: dict) -> None:
    path = dept["dir"] / "无文字.docx"
    docx.Document().save(str(path))
    with pytest.raises(NarrativeError, match=r"无文字\.docx：文档没有任何文字内容"):
        check_narrative(path, dept["model"])
    with pytest.raises(NarrativeError, match="文件不存在"):
        check_narrative(dept["dir"] / "没有.docx", dept["model"])


def test_bad_narrative_beside_a_workbook_is_a_finding_not_a_crash(dept: dict) -> None:
    d = dept["dir"]
    (d / "旧.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    result = check_file(d / "单位.xlsx", narrative=d / "旧.doc")
    [f] = [f for f in result.findings if f.rule.startswith("N-")]
    assert f.rule == "N-file" and "旧.doc" in f.message and result.status == "findings"


def _perturbed_pair(dept: dict, folder: Path, stem: str) -> tuple[Path, str]:
    """A workbook and its narrative (本年收入合计 doubled) side by side in ``folder``."""
    folder.mkdir(exist_ok=True)
    (folder / "单位.xlsx").write_bytes((dept["dir"] / "单位.xlsx").read_bytes())
    blocks = _copy(dept["blocks"])
    total = _wan(dept["facts"]["in.income_total"].yuan)
    target = next(b for b in blocks if "本年收入合计" in b.text)
    target.text = target.text.replace(f"合计{total}", f"合计1{total}", 1)
    write_docx(blocks, folder / f"{stem}.docx")
    return folder / f"{stem}.docx", total


def test_cli_check_with_narrative_json_contract(dept: dict) -> None:
    narrative, total = _perturbed_pair(dept, dept["dir"] / "cli", "说明")
    res = CliRunner().invoke(main, ["check", str(narrative.parent / "单位.xlsx"), "--narrative",
                                    str(narrative), "--format", "json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    [f] = [f for f in data["files"][0]["findings"] if f["rule"].startswith("N-")]
    assert (f["sheet"], f["cell"], f["actual"], f["expected"]) == (None, None, f"1{total}", total)
    loc = f["location"]
    assert (loc["file"], loc["part"]) == ("说明.docx", "第二部分 二、收入决算情况说明")
    assert isinstance(loc["paragraph"], int) and f"1{total}" in loc["quote"]
    text = CliRunner().invoke(main, ["check", str(narrative.parent / "单位.xlsx"), "--narrative",
                                     str(narrative)])
    assert loc["quote"] in text.output and "Traceback" not in text.output


def test_cli_folder_pairs_workbook_and_docx_of_same_stem(dept: dict) -> None:
    narrative, _total = _perturbed_pair(dept, dept["dir"] / "folder", "单位")
    res = CliRunner().invoke(main, ["check", str(narrative.parent), "--format", "json"])
    data = json.loads(res.output)
    rules = [f["rule"] for r in data["files"] for f in r["findings"]]
    assert rules.count("N-amount") == 1 and res.exit_code == 1


def test_cli_mark_docx(dept: dict) -> None:
    narrative, total = _perturbed_pair(dept, dept["dir"] / "mark", "单位-说明")
    before = _digest(narrative)
    res = CliRunner().invoke(main, ["mark", str(narrative)])
    assert res.exit_code == 0, res.output
    assert "对照 单位.xlsx" in res.output and "已标注 1 处" in res.output
    out = narrative.with_name("单位-说明_标注.docx")
    marked = docx.Document(str(out))
    [comment] = list(marked.comments)
    assert comment.text.startswith("本年收入合计应为 " + total)
    assert _digest(narrative) == before
    res = CliRunner().invoke(main, ["mark", str(narrative), "-o", str(narrative)])
    assert res.exit_code == 2 and "不能覆盖原文件" in res.output
    assert _digest(narrative) == before
    res = CliRunner().invoke(main, ["fix", str(narrative)])
    assert res.exit_code == 2 and "不能自动修正" in res.output
    bad = narrative.with_name("坏.docx")
    bad.write_bytes(b"not a document")
    res = CliRunner().invoke(main, ["mark", str(bad)])
    assert res.exit_code == 2 and "不是 Word .docx 文档" in res.output
    assert "Traceback" not in res.output


def test_shipped_sample_narrative_matches_its_workbook() -> None:
    """``workbooks/sample-shanghai-说明.docx`` is rebuilt when the sample workbooks change
    (``python -m xlbudget.generate.samples``); a stale copy fails here."""
    root = Path(__file__).resolve().parents[1] / "workbooks"
    wb, prior = root / "sample-shanghai.xlsx", root / "sample-shanghai-prior.xlsx"
    model = analyse(read_workbook(wb), str(wb)).model
    prior_model = analyse(read_workbook(prior), str(prior)).model
    assert check_narrative(root / "sample-shanghai-说明.docx", model, prior_model) == []


def test_sangong_budget_in_table_checked_against_t7(dept: dict) -> None:
    blocks = _copy(dept["blocks"])
    table = next(b for b in blocks if b.kind == "table" and "预算数（万元）" in b.rows[0])
    right = table.rows[2][1]  # 因公出国（境）费 预算数
    table.rows[2][1] = str(Decimal(right) + 1)
    path = dept["dir"] / "budget.docx"
    write_docx(blocks, path)
    [f] = check_narrative(path, dept["model"])
    assert (f.rule, f.expected) == ("N-amount", right)
    assert "预算数" in f.message


def _published(dept: dict, **wrong: str) -> list[Block]:
    """Sentence shapes as published documents write them (not the project's template): the 项
    named on its own line, 预算 before 决算, 完成年初预算的, 其中 with a comma, units repeated,
    thousands separators. ``wrong`` replaces a figure by name."""
    f, y = dept["facts"], dept["model"].year

    def w(key: str) -> str:
        return wrong.get(key) or f"{calc.round_half_up(f[key].yuan / 10000, 2):,}"

    leaf = next(k for k in f if k.startswith("T5.code.") and len(k) == 15 and f[k].yuan)
    code = leaf.removeprefix("T5.code.")
    names = [f[f"T5.code.{code[:n]}"].label for n in (3, 5, 7)]
    budget = f[leaf].yuan * Decimal("1.25")
    rate = calc.rate(f[leaf].yuan, budget)
    return [
        Block("title", f"某区某局{y}年度部门决算"),
        Block("h2", "收入支出决算总体情况说明"),
        Block("p", f"{y}年度，本部门收入总计{w('in.grand_total')}万元，支出总计"
                   f"{w('ex.grand_total')}万元。"),
        Block("h2", "一般公共预算财政拨款支出决算情况说明"),
        Block("p", f"1.{names[0].removesuffix('支出')}（类）{names[1]}（款）{names[2]}（项）"),
        Block("p", f"年初预算为{calc.round_half_up(budget / 10000, 2)}万元，支出决算为"
                   f"{w(leaf)}万元，完成年初预算的{wrong.get('rate') or rate}%。"),
        Block("h2", "“三公”经费财政拨款支出决算情况说明"),
        Block("p", f"{y}年度“三公”经费财政拨款支出预算为{w('T7.total_budget')}万元，支出决算为"
                   f"{w('T7.total_final')}万元，完成预算的"
                   f"{calc.rate(f['T7.total_final'].yuan, f['T7.total_budget'].yuan)}%。"
                   f"其中：公务接待费支出预算为{w('T7.reception_budget')}万元，支出决算为"
                   f"{w('T7.reception_final')}万元。"),
    ]


def test_published_sentence_shapes(dept: dict) -> None:
    path = dept["dir"] / "published.docx"
    write_docx(_published(dept), path)
    assert check_narrative(path, dept["model"]) == []
    f = dept["facts"]
    leaf = next(k for k in f if k.startswith("T5.code.") and len(k) == 15 and f[k].yuan)
    right = _wan(f["T7.reception_final"].yuan)
    write_docx(_published(dept, **{"T7.reception_final": "1,234.00", leaf: "0.01",
                                   "rate": "12.34"}), path)
    found = {(x.rule, x.expected) for x in check_narrative(path, dept["model"])}
    budget = f[leaf].yuan * Decimal("1.25")
    assert found == {("N-amount", right), ("N-amount", _wan(f[leaf].yuan)),
                     ("N-completion", str(calc.rate(f[leaf].yuan, budget)))}


def test_narrative_is_compared_with_the_corrected_tables(tmp_path: Path) -> None:
    """A narrative that quotes the right value of a mistyped cell is not wrong: the workbook
    rules report the cell, and the narrative is compared with the corrected tables."""
    root = Path(__file__).resolve().parents[1] / "workbooks"
    clean = analyse(read_workbook(root / "sample-errors-clean.xlsx"), "clean").model
    write_docx(narrative_blocks(clean, seed=1), tmp_path / "说明.docx")
    wrong_tables = analyse(read_workbook(root / "sample-errors.xlsx"), "errors").model
    raw = check_narrative(tmp_path / "说明.docx", wrong_tables)
    result = check_file(root / "sample-errors.xlsx", narrative=tmp_path / "说明.docx")
    narrative = [f for f in result.findings if f.rule.startswith("N-")]
    workbook_cells = {(f.sheet, f.cell) for f in result.findings if f.severity == "error"}
    assert len(narrative) < len(raw)
    for f in narrative:  # what remains touches a cell judged wrong without a certain fix
        assert not f.certain and "也被判定有误" in f.message
        assert any((r["sheet"], r["cell"]) in workbook_cells for r in f.related)


def test_paragraphs_inside_content_controls(dept: dict) -> None:
    """Template documents may wrap paragraphs in content controls (w:sdt)."""
    from docx.oxml import OxmlElement

    d = dept["dir"]
    grand = dept["facts"]["in.grand_total"].yuan
    blocks = _copy(dept["blocks"])
    target = next(b for b in blocks if "年度收、支总计" in b.text)
    target.text = target.text.replace(f"总计{_wan(grand)}", "总计1.00", 1)
    write_docx(blocks, d / "sdt.docx")
    doc = docx.Document(str(d / "sdt.docx"))
    p = next(p for p in doc.paragraphs if "年度收、支总计" in p.text)
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    sdt.append(content)
    p._p.addprevious(sdt)
    content.append(p._p)
    doc.save(str(d / "sdt.docx"))
    [f] = check_narrative(d / "sdt.docx", dept["model"])
    assert (f.rule, f.expected) == ("N-amount", _wan(grand))
    assert mark_docx(d / "sdt.docx", [f], d / "sdt-marked.docx") == 1
