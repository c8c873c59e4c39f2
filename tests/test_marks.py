"""Write-back on real files: mark, fix, clean; the input never changes; nothing is lost."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from xlbudget.cli import main
from xlbudget.engine import check_file
from xlbudget.findings import FileResult, Finding
from xlbudget.generate import generate, write
from xlbudget.generate.inject import inject
from xlbudget.marks.plan import FILLS, NOTE_HEAD, Plan, build_plan
from xlbudget.marks.safe import WriteError, inventory, lost_parts, write_safely
from xlbudget.marks.xlsx import render_file
from xlbudget.sources.files import read_workbook
from xlbudget.sources.grid import from_a1
from xlbudget.sources.own import REPORT_SHEET, STATE_SHEET

BASIC_TOTAL = ("T5", "main", "total", "basic")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    d = tmp_path_factory.mktemp("marks")
    s = write(generate(3), d / "clean.xlsx")
    return s.path, s


@pytest.fixture()
def one_error(tmp_path: Path, sample: tuple[Path, object]) -> tuple[Path, str, str, Decimal]:
    """A copy with T5 合计.基本支出 off by 12.34, a user note and a user fill on other cells."""
    path, s = sample
    sheet, cell = s.cells[BASIC_TOTAL]  # type: ignore[attr-defined]
    shown = s.shown[BASIC_TOTAL]  # type: ignore[attr-defined]
    bad = tmp_path / "报表.xlsx"
    inject(path, bad, [(sheet, cell, float(shown + Decimal("12.34")))])
    wb = openpyxl.load_workbook(bad)
    ws = wb[sheet]
    ws["A1"].comment = Comment("用户自己的批注", "张三")
    ws["A2"].fill = PatternFill("solid", fgColor="00FF00")
    wb.save(bad)
    return bad, sheet, cell, shown


def cell_state(path: Path) -> dict[tuple[str, str], tuple]:
    """Value, fill, note and number format of every cell, by sheet and address."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                out[(ws.title, c.coordinate)] = (
                    c.value, c.fill.fill_type, c.fill.fgColor.rgb, c.number_format,
                    c.comment.text if c.comment else None)
    return out


def test_mark_colours_notes_and_reports(one_error: tuple[Path, str, str, Decimal]) -> None:
    bad, sheet, cell, shown = one_error
    before = sha(bad)
    code, out = run("mark", bad)
    assert code == 1, out
    marked = bad.with_name("报表_标注.xlsx")
    assert marked.exists() and "已标注" in out
    assert sha(bad) == before  # the input is untouched
    grids = {g.name: g for g in read_workbook(marked)}
    assert REPORT_SHEET in grids
    rep = grids[REPORT_SHEET]
    header = next(r for r in range(rep.height) if rep.text(r, 0) == "序号")
    rows = [rep.rows[r] for r in range(header + 1, rep.height) if rep.text(r, 0)]
    hit = [r for r in rows if r[3] == sheet and r[4] == cell]
    assert hit and hit[0][1] == "错误" and hit[0][2] == "T5-a"
    assert Decimal(str(hit[0][6])) == shown
    assert hit[0][10]  # the other cells of the failing identity
    r, c = from_a1(cell)
    assert Decimal(repr(grids[sheet].value(r, c))) == shown + Decimal("12.34")  # mark only
    wb = openpyxl.load_workbook(marked)
    target = wb[sheet][cell]
    assert target.fill.fgColor.rgb.endswith(FILLS["error"])
    assert NOTE_HEAD in target.comment.text and "T5-a" in target.comment.text
    assert f"应为：{shown}" in target.comment.text
    assert wb[sheet]["A1"].comment.text.startswith("用户自己的批注")
    assert wb[STATE_SHEET].sheet_state == "veryHidden"
    link_cell = wb[REPORT_SHEET].cell(header + 1 + rows.index(hit[0]) + 1, 5)
    assert link_cell.hyperlink.location == f"'{sheet}'!{cell}"
    counts = {rep.text(i, 0): rep.value(i, 1) for i in range(1, 8)}
    assert counts["错误"] >= 1 and counts["文件"] == str(bad)
    # checking the marked copy finds what checking the input found: the report and state
    # sheets are not read as tables
    def key(r: FileResult) -> list[tuple]:
        return [(f.rule, f.sheet, f.cell, f.expected) for f in r.findings]
    assert key(check_file(marked)) == key(check_file(bad))


def test_fix_writes_expected_and_check_passes(one_error: tuple[Path, str, str, Decimal]) -> None:
    bad, sheet, cell, shown = one_error
    before = sha(bad)
    assert any(f.severity == "error" for f in check_file(bad).findings)
    fixed = bad.with_name("已修正.xlsx")
    code, out = run("fix", bad, "-o", fixed)
    assert code == 0, out
    assert sha(bad) == before
    assert [f for f in check_file(fixed).findings if f.severity == "error"] == []
    g = {g.name: g for g in read_workbook(fixed)}[sheet]
    r, c = from_a1(cell)
    assert Decimal(repr(g.value(r, c))) == shown
    wb_in, wb_out = openpyxl.load_workbook(bad), openpyxl.load_workbook(fixed)
    assert wb_out[sheet][cell].number_format == wb_in[sheet][cell].number_format
    for attr in ("font", "border", "alignment", "protection"):
        assert repr(getattr(wb_out[sheet][cell], attr)) == repr(getattr(wb_in[sheet][cell], attr))
    note = wb_out[sheet][cell].comment.text
    assert f"原值 {shown + Decimal('12.34')}" in note and f"改为 {shown}" in note


def test_fix_in_place_backs_up_first(one_error: tuple[Path, str, str, Decimal]) -> None:
    bad, *_ = one_error
    original = bad.read_bytes()
    code, out = run("fix", bad, "--in-place")
    assert code == 0, out
    backups = list(bad.parent.glob("报表.备份-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert [f for f in check_file(bad).findings if f.severity == "error"] == []
    assert not list(bad.parent.glob(".*xlbudget-tmp*"))


def test_clean_restores_everything_and_nothing_else(one_error: tuple[Path, str, str, Decimal],
                                                    tmp_path: Path) -> None:
    bad, *_ = one_error
    marked = tmp_path / "m.xlsx"
    assert run("mark", bad, "-o", marked)[0] == 1
    cleaned = tmp_path / "c.xlsx"
    code, out = run("clean", marked, "-o", cleaned)
    assert code == 0, out
    assert cell_state(cleaned) == cell_state(bad)
    wb = openpyxl.load_workbook(cleaned)
    assert wb.sheetnames == openpyxl.load_workbook(bad).sheetnames
    code, out = run("clean", cleaned)
    assert code == 0 and "无需清除" in out


def test_marking_twice_equals_marking_once(one_error: tuple[Path, str, str, Decimal],
                                           tmp_path: Path) -> None:
    bad, *_ = one_error
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    assert run("mark", bad, "-o", once)[0] == 1
    code, out = run("mark", once, "-o", twice)
    assert code == 1 and "未能保留" not in out, out
    a, b = cell_state(once), cell_state(twice)
    for varying in ("B2", "B3"):  # the file name and the time of the check
        a.pop((REPORT_SHEET, varying)), b.pop((REPORT_SHEET, varying))
    assert a == b
    assert openpyxl.load_workbook(once).sheetnames == openpyxl.load_workbook(twice).sheetnames


def test_uncertain_findings_are_marked_not_fixed(sample: tuple[Path, object],
                                                 tmp_path: Path) -> None:
    path, _ = sample
    result = FileResult(str(path), findings=[
        Finding("T7-a", "error", "三公合计与明细不符", "财政拨款“三公”经费支出决算表", "B6",
                "7.21", "7.77", certain=False),
        Finding("TB-a", "warning", "缺少表", None, None),
    ])
    plan = build_plan(result, fix=True)
    assert plan.values == [] and len(plan.marks) == 1
    assert Plan.from_json(json.loads(plan.dumps())) == plan
    out = tmp_path / "u.xlsx"
    rep = write_safely(path, out, lambda t: render_file(plan, path, t), lambda g: None)
    assert rep.lost == []
    ws = openpyxl.load_workbook(out)["财政拨款“三公”经费支出决算表"]
    assert "候选之一" in ws["B6"].comment.text
    report = {g.name: g for g in read_workbook(out)}[REPORT_SHEET]
    assert any(report.text(r, 2) == "TB-a" for r in range(report.height))


def _xlsm(src: Path, dst: Path, vba: bytes) -> None:
    """Turn an .xlsx into a macro-enabled package with a VBA project and a custom ribbon."""
    ribbon = (b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
              b'<ribbon><tabs><tab id="t" label="xlbudget"/></tabs></ribbon></customUI>')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"<Default ", b'<Default Extension="bin" ContentType='
                                    b'"application/vnd.ms-office.vbaProject"/><Default ', 1)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http:'
                                    b'//schemas.microsoft.com/office/2006/relationships/vbaProject"'
                                    b' Target="vbaProject.bin"/></Relationships>')
            elif item.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdUi" Type="http://'
                                    b'schemas.microsoft.com/office/2007/relationships/ui/'
                                    b'extensibility" Target="customUI/customUI14.xml"/>'
                                    b"</Relationships>")
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", vba)
        zout.writestr("customUI/customUI14.xml", ribbon)


def test_xlsm_keeps_vba_and_ribbon(one_error: tuple[Path, str, str, Decimal],
                                   tmp_path: Path) -> None:
    bad, *_ = one_error
    vba = bytes(range(256)) * 64  # stored and compared byte for byte, never parsed
    book = tmp_path / "宏.xlsm"
    _xlsm(bad, book, vba)
    before = sha(book)
    code, out = run("fix", book)
    assert code == 0 and "未能保留" not in out, out
    fixed = tmp_path / "宏_修正.xlsm"
    assert sha(book) == before
    with zipfile.ZipFile(fixed) as z:
        assert z.read("xl/vbaProject.bin") == vba
        assert "customUI/customUI14.xml" in z.namelist()
        assert b"ui/extensibility" in z.read("_rels/.rels")
        assert b"macroEnabled" in z.read("[Content_Types].xml")
    assert [f for f in check_file(fixed).findings if f.severity == "error"] == []


def _png() -> bytes:
    """A valid 1×1 PNG (no imaging library here)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PNG = _png()


def _with_picture(src: Path, dst: Path) -> None:
    """Add a drawing with a picture and a text box to the first sheet (openpyxl drops the text
    box, and the picture without Pillow)."""
    drawing = (b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
               b'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
               b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
               b'relationships"><xdr:oneCellAnchor><xdr:from><xdr:col>8</xdr:col><xdr:colOff>0'
               b'</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>'
               b'<xdr:ext cx="952500" cy="952500"/><xdr:sp macro="" textlink=""><xdr:nvSpPr>'
               b'<xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
               b'<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
               b'<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>note</a:t></a:r></a:p></xdr:txBody>'
               b'</xdr:sp><xdr:clientData/></xdr:oneCellAnchor><xdr:oneCellAnchor><xdr:from>'
               b'<xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>8</xdr:row><xdr:rowOff>0'
               b'</xdr:rowOff></xdr:from><xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr>'
               b'<xdr:cNvPr id="3" name="Picture 2"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
               b'<a:blip r:embed="rIdImg1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
               b'<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
               b'<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Default Extension="png" ContentType="image/'
                                    b'png"/><Override PartName="/xl/drawings/drawing9.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'drawing+xml"/></Types>')
            elif item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b'<drawing r:id="rIdDr9"/></worksheet>')
                if b'xmlns:r=' not in data[:500]:
                    data = data.replace(b"<worksheet ", b'<worksheet xmlns:r="http://schemas.'
                                        b'openxmlformats.org/officeDocument/2006/relationships" ',
                                        1)
            zout.writestr(item, data)
        rels = "xl/worksheets/_rels/sheet1.xml.rels"
        assert rels not in zin.namelist()
        zout.writestr(rels, b'<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                      b'2006/relationships"><Relationship Id="rIdDr9" Type="http://schemas.'
                      b'openxmlformats.org/officeDocument/2006/relationships/drawing" '
                      b'Target="../drawings/drawing9.xml"/></Relationships>')
        zout.writestr("xl/drawings/drawing9.xml", drawing)
        zout.writestr("xl/drawings/_rels/drawing9.xml.rels", (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rIdImg1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/image" Target="../media/image1.png"/></Relationships>'))
        zout.writestr("xl/media/image1.png", PNG)


def test_drawings_openpyxl_drops_are_put_back(one_error: tuple[Path, str, str, Decimal],
                                              tmp_path: Path) -> None:
    bad, *_ = one_error
    book = tmp_path / "有图.xlsx"
    _with_picture(bad, book)
    before = inventory(book)
    assert before.counts["形状/文本框"] == 1 and before.counts["图片"] == 1
    code, out = run("mark", book)
    assert code == 1 and "未能保留" not in out, out
    marked = tmp_path / "有图_标注.xlsx"
    after = inventory(marked)
    assert after.counts["形状/文本框"] == 1 and after.counts["图片"] == 1
    with zipfile.ZipFile(marked) as z:
        sheet1 = z.read("xl/worksheets/sheet1.xml")
        assert b'<drawing r:id="rIdXlbDr1"/>' in sheet1
        assert z.read("xl/media/xlb1_image1.png") == PNG
        assert b"/xl/drawings/xlb1_drawing9.xml" in z.read("[Content_Types].xml")
    openpyxl.load_workbook(marked)
    assert REPORT_SHEET in [g.name for g in read_workbook(marked)]
    if shutil.which("soffice") is None:
        return
    proc = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "ods", "--outdir", str(tmp_path / "ods"), str(marked)],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "ods" / "有图_标注.ods") as z:
        content = z.read("content.xml").decode()
        assert any(n.startswith("Pictures/") for n in z.namelist())  # the picture
    assert "<draw:custom-shape" in content  # the text box


def _with_x14_extension(src: Path, dst: Path) -> None:
    """Add an x14 conditional-formatting extension to the first sheet (openpyxl drops it)."""
    ext = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://'
           b'schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
           b'</x14:conditionalFormattings></ext></extLst>')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", ext + b"</worksheet>")
            zout.writestr(item, data)


def test_parts_that_would_be_lost_are_reported(one_error: tuple[Path, str, str, Decimal],
                                               tmp_path: Path) -> None:
    bad, *_ = one_error
    book = tmp_path / "扩展.xlsx"
    _with_x14_extension(bad, book)
    assert inventory(book).counts["工作表扩展(x14)"] == 1
    before = book.read_bytes()
    code, out = run("fix", book, "--in-place")
    assert code == 2 and "已取消覆盖原文件" in out and "工作表扩展(x14)" in out
    assert book.read_bytes() == before
    assert not list(tmp_path.glob("扩展.备份-*"))
    code, out = run("mark", book)
    assert code == 1 and "未能保留 工作表扩展(x14)：原有 1 个，写出后 0 个" in out
    assert book.read_bytes() == before
    code, out = run("fix", book, "--in-place", "--force")
    assert code == 0 and list(tmp_path.glob("扩展.备份-*"))


def test_lost_parts_compares_inventories(sample: tuple[Path, object]) -> None:
    path, _ = sample
    inv = inventory(path)
    assert inv.counts["合并单元格"] > 0 and lost_parts(inv, inv) == []
    fewer = inventory(path)
    fewer.counts["合并单元格"] -= 1
    assert lost_parts(inv, fewer)[0].startswith("合并单元格")


def test_bad_inputs_get_chinese_messages(tmp_path: Path, sample: tuple[Path, object]) -> None:
    path, _ = sample
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, out = run("mark", broken)
    assert code == 2 and "坏.xlsx" in out and "Traceback" not in out
    code, out = run("mark", tmp_path / "无.xlsx")
    assert code == 2 and "不存在" in out
    doc = tmp_path / "说明.docx"
    doc.write_bytes(b"PK")
    code, out = run("mark", doc)  # routed by suffix to the narrative marker
    assert code == 2 and "说明.docx" in out and "Traceback" not in out
    code, out = run("mark", tmp_path / "表.ods")
    assert code == 2 and "不支持的文件类型" in out
    code, out = run("fix", path, "-o", path)
    assert code == 2 and "不能与输入文件相同" in out
    with pytest.raises(WriteError):
        write_safely(path, tmp_path / "x.xlsm", lambda t: shutil.copy(path, t), lambda g: None)


def _with_formulas(src: Path, dst: Path) -> None:
    """Add a sheet of formulas with cached results, as Excel saves them (openpyxl writes none)."""
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("附注")
    ws.append([1, 2, "=A1+B1", '="合"&"计"', "=1/0"])
    wb.save(dst)
    with zipfile.ZipFile(dst) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for item, data in items:
            if b"<f>A1+B1</f>" in data:
                data = data.replace(b"<f>A1+B1</f><v></v>", b"<f>A1+B1</f><v>3</v>")
                data = re.sub(rb'<c r="D1"><f>(.*?)</f><v></v>',
                              '<c r="D1" t="str"><f>\\1</f><v>合计</v>'.encode(), data)
                data = data.replace(b'<c r="E1"><f>1/0</f><v></v>',
                                    b'<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v>')
            z.writestr(item, data)


def test_formulas_keep_their_cached_results(one_error: tuple[Path, str, str, Decimal],
                                            tmp_path: Path) -> None:
    bad, *_ = one_error
    book = tmp_path / "公式.xlsx"
    _with_formulas(bad, book)
    src = {g.name: g for g in read_workbook(book)}["附注"]
    assert src.rows[0][2:4] == [3.0, "合计"] and src.errors == {(0, 4): "#DIV/0!"}
    marked = tmp_path / "m.xlsx"
    assert run("mark", book, "-o", marked)[0] == 1
    g = {g.name: g for g in read_workbook(marked)}["附注"]
    assert g.rows[0][:4] == [1.0, 2.0, 3.0, "合计"] and g.errors == src.errors and not g.uncached
    assert openpyxl.load_workbook(marked)["附注"]["C1"].value == "=A1+B1"
    cleaned = tmp_path / "c.xlsx"
    assert run("clean", marked, "-o", cleaned)[0] == 0
    assert {g.name: g for g in read_workbook(cleaned)}["附注"].rows[0][2] == 3.0
    # after a correction the results may change: left for Excel to recompute on open
    fixed = tmp_path / "f.xlsx"
    assert run("fix", book, "-o", fixed)[0] == 0
    g = {g.name: g for g in read_workbook(fixed)}["附注"]
    assert (0, 2) in g.uncached
    assert openpyxl.load_workbook(fixed).calculation.fullCalcOnLoad is True


def test_workbook_features_survive_marking(one_error: tuple[Path, str, str, Decimal],
                                           tmp_path: Path) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    bad, sheet, *_ = one_error
    book = tmp_path / "全.xlsx"
    wb = openpyxl.load_workbook(bad)
    ws = wb[sheet]
    wb.defined_names["合计区"] = DefinedName("合计区", attr_text=f"'{sheet}'!$C$5:$E$9")
    ws.print_area = "A1:E30"
    ws.page_setup.orientation = "landscape"
    ws.column_dimensions["B"].width = 41.5
    ws.merge_cells("H2:J3")
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    dv.add("C5:E40")
    ws.add_data_validation(dv)
    red = PatternFill("solid", fgColor="FF0000")
    ws.conditional_formatting.add("C5:C40", CellIsRule(operator="lessThan", formula=["0"],
                                                        fill=red))
    wb.save(book)
    marked = tmp_path / "m.xlsx"
    code, out = run("mark", book, "-o", marked)
    assert code == 1 and "未能保留" not in out, out
    a, b = openpyxl.load_workbook(book), openpyxl.load_workbook(marked)
    wa, wb2 = a[sheet], b[sheet]
    assert b.defined_names["合计区"].attr_text == a.defined_names["合计区"].attr_text
    assert wb2.print_area == wa.print_area and wb2.page_setup.orientation == "landscape"
    assert wb2.column_dimensions["B"].width == 41.5
    assert {str(r) for r in wb2.merged_cells.ranges} == {str(r) for r in wa.merged_cells.ranges}
    assert [str(d.sqref) for d in wb2.data_validations.dataValidation] == ["C5:E40"]
    assert [str(r.sqref) for r in wb2.conditional_formatting] == ["C5:C40"]


def test_marks_on_merged_ranges_and_missing_sheets(sample: tuple[Path, object],
                                                   tmp_path: Path) -> None:
    path, _ = sample
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    merged = next(iter(ws.merged_cells.ranges))
    inner = openpyxl.utils.get_column_letter(merged.max_col) + str(merged.max_row)
    anchor = openpyxl.utils.get_column_letter(merged.min_col) + str(merged.min_row)
    assert inner != anchor
    result = FileResult(str(path), findings=[
        Finding("T1-a", "warning", "合并单元格内的问题", ws.title, inner, None, None),
        Finding("T1-b", "error", "工作表不存在", "无此表", "B2", "1", "2"),
    ])
    plan = build_plan(result, fix=True)
    out = tmp_path / "merged.xlsx"
    done = {}
    write_safely(path, out, lambda t: done.setdefault("r", render_file(plan, path, t)),
                 lambda g: None)
    assert done["r"].marked == 1 and len(done["r"].skipped) == 2
    assert all("无此表" in s for s in done["r"].skipped)
    c = openpyxl.load_workbook(out).worksheets[0][anchor]
    assert c.fill.fgColor.rgb.endswith(FILLS["warning"]) and "T1-a" in c.comment.text


def test_damaged_state_sheet_gets_a_message(one_error: tuple[Path, str, str, Decimal],
                                            tmp_path: Path) -> None:
    bad, *_ = one_error
    marked = tmp_path / "m.xlsx"
    assert run("mark", bad, "-o", marked)[0] == 1
    wb = openpyxl.load_workbook(marked)
    wb[STATE_SHEET]["D2"] = "{不是 JSON"
    wb.save(marked)
    before = marked.read_bytes()
    code, out = run("clean", marked)
    assert code == 2 and f"“{STATE_SHEET}”第 2 行" in out and "Traceback" not in out
    assert marked.read_bytes() == before


def test_fix_keeps_numbers_stored_as_text(tmp_path: Path) -> None:
    s = write(generate(3), tmp_path / "叠.xlsx", "stacked", text_numbers=1.0)
    sheet, cell = s.cells[BASIC_TOTAL]
    shown = s.shown[BASIC_TOTAL]
    wb = openpyxl.load_workbook(s.path)
    assert wb[sheet][cell].value == f"{shown:,.2f}"  # the generator stored it as text
    wb[sheet][cell].value = f"{shown + 1000:,.2f}"
    bad = tmp_path / "错.xlsx"
    wb.save(bad)
    code, out = run("fix", bad)
    assert code == 0 and "已修正 1 个单元格" in out, out
    fixed = tmp_path / "错_修正.xlsx"
    assert openpyxl.load_workbook(fixed)[sheet][cell].value == f"{shown:,.2f}"
    assert [f for f in check_file(fixed).findings if f.severity == "error"] == []
