"""Build the Excel add-in ``xlbudget.xlam`` and the demo ``xlbudget-demo.xlsm`` from the text
sources in ``macros/``: ``python -m xlbudget.excel.build``.

The sources written by hand are ``xlbudget_ribbon.bas`` (one Sub per button), ``customUI.xml``
(the ribbon) and ``ThisWorkbook.cls`` (registers the functions' help when the file opens). Four
are generated from the installed packages and refreshed by every build: ``xlwings.bas``
(xlwings' custom add-in module, named for this project), ``Dictionary.cls`` (the class xlwings'
Mac code needs, taken from xlwings' own add-in), ``xlwings_udfs.bas`` (the UDF wrappers) and
``xlbudget_udfhelp.bas`` (the functions' Chinese help for Excel's Insert Function dialog). The
demo's UDF wrappers are generated for a workbook (ThisWorkbook) instead of an add-in
(ActiveWorkbook).

The workbooks are written with openpyxl, then the VBA project, the ribbon part and the button
drawing are added to the package. Zip times, CFB times and the project GUID are
fixed, so the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import sys
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from xlbudget.excel.vba_project import (
    WORKSHEET_BASE,
    VbaModule,
    build_vba_project,
    document_module,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "macros"
DIST = REPO / "dist"
ADDIN = "xlbudget.xlam"
DEMO = "xlbudget-demo.xlsm"

#: The xlwings release whose VBA the add-in carries; pyproject's ``excel`` extra pins the same.
XLWINGS_PIN = "0.37.8"
#: xlwings reads its settings from ``~/.xlbudget/xlbudget.conf`` and a sheet ``xlbudget.conf``.
PROJECT_NAME = "xlbudget"
UDF_MODULE = "xlbudget.excel.udfs"
RIBBON_MODULE = "xlbudget_ribbon"
CONF_SHEET = f"{PROJECT_NAME}.conf"
DEMO_SHEET = "xlbudget 使用说明"
DEMO_SEED = 2023
#: Amounts the demo shows wrong on purpose (sample key, change in the table's unit), so that
#: 校验 has something to find: 三公经费 total (T7) and total income (T1).
DEMO_ERRORS = (
    (("T7", "main", "total", "total_final"), Decimal("0.56")),
    (("T1", "income", "income_total", "amount"), Decimal("-10.00")),
)

# One GUID per file kind, derived from fixed names so that builds repeat byte for byte.
_PROJECT_IDS = {
    ADDIN: uuid.uuid5(uuid.NAMESPACE_URL, "xlbudget:addin"),
    DEMO: uuid.uuid5(uuid.NAMESPACE_URL, "xlbudget:demo"),
}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_DATE = "2024-01-01T00:00:00Z"

_NS = {
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "ui": "http://schemas.microsoft.com/office/2006/01/customui",
}
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_REL_UI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
_REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
_CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_CT_VBA = "application/vnd.ms-office.vbaProject"
_CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"


class BuildError(Exception):
    """A build that cannot go on; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Button:
    """A ribbon button as ``customUI.xml`` declares it."""

    id: str
    label: str
    action: str  # the Sub named by onAction
    tip: str


def buttons(custom_ui: str) -> list[Button]:
    """The ribbon's buttons, in order."""
    root = ET.fromstring(custom_ui.encode("utf-8"))
    return [
        Button(b.get("id", ""), b.get("label", ""), b.get("onAction", ""), b.get("supertip", ""))
        for b in root.iter(f"{{{_NS['ui']}}}button")
    ]


# ---- generated sources -------------------------------------------------------------------


def _xlwings_dir() -> Path:
    import xlwings

    if xlwings.__version__ != XLWINGS_PIN:
        raise BuildError(
            f"已安装的 xlwings 是 {xlwings.__version__}，加载项固定为 {XLWINGS_PIN}："
            f"请 pip install xlwings=={XLWINGS_PIN}"
        )
    return Path(xlwings.__file__).parent


def xlwings_module() -> str:
    """xlwings' VBA for custom add-ins, with this project's name for its settings."""
    text = (_xlwings_dir() / "xlwings_custom_addin.bas").read_text(encoding="ascii")
    line = 'Public Const PROJECT_NAME As String = "myaddin"'
    if text.count(line) != 1:
        raise BuildError(f"xlwings_custom_addin.bas 中找不到 {line}，xlwings 的 VBA 已改变")
    return _lf(text.replace(line, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"'))


def dictionary_class() -> str:
    """The ``Dictionary`` class that xlwings' VBA uses on macOS, from xlwings' own add-in."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(_xlwings_dir() / "quickstart_addin.xlam"))
    try:
        codes = [code for _, _, name, code in parser.extract_macros() if name == "Dictionary.cls"]
    finally:
        parser.close()
    if len(codes) != 1:
        raise BuildError("xlwings 自带的加载项中没有 Dictionary 类模块")
    code = codes[0] if isinstance(codes[0], str) else codes[0].decode("cp1252")
    header = "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
    return header + _lf(code)


def udf_module(workbook_name: str, module_name: str = UDF_MODULE) -> str:
    """The UDF wrapper module for a workbook named ``workbook_name``."""
    from xlbudget.excel.vba_udfs import udf_wrapper_module

    return _lf(udf_wrapper_module(module_name, workbook_name))


def generated_sources() -> dict[str, str]:
    """File name in ``macros/`` -> text, for the sources made from installed packages."""
    from xlbudget.excel.vba_udfs import HELP_MODULE, udf_help_module, udf_sources

    wrappers, helps = udf_sources(UDF_MODULE, ADDIN)
    return {
        "xlwings.bas": xlwings_module(),
        "Dictionary.cls": dictionary_class(),
        "xlwings_udfs.bas": _lf(wrappers),
        f"{HELP_MODULE}.bas": udf_help_module(helps),
    }


def refresh_sources(macros: Path = MACROS, *, check: bool = False) -> list[str]:
    """Write the generated sources that changed (or, with ``check``, only list them)."""
    stale = []
    for name, text in generated_sources().items():
        path = macros / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
            if not check:
                path.write_text(text, encoding="utf-8", newline="\n")
    return stale


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _read(macros: Path, name: str) -> str:
    path = macros / name
    if not path.exists():
        raise BuildError(f"缺少源文件 {path}")
    return path.read_text(encoding="utf-8")


# ---- VBA project -------------------------------------------------------------------------


def vba_modules(macros: Path, sheet_codes: list[str], udfs: str) -> list[VbaModule]:
    """The project's modules: the workbook, one per sheet, then the standard modules."""
    from xlbudget.excel.vba_udfs import HELP_MODULE

    modules = [VbaModule("ThisWorkbook", "document", _read(macros, "ThisWorkbook.cls"))]
    modules += [document_module(code, WORKSHEET_BASE) for code in sheet_codes]
    modules += [
        VbaModule("xlwings", "module", _read(macros, "xlwings.bas")),
        VbaModule("Dictionary", "class", _read(macros, "Dictionary.cls")),
        VbaModule(RIBBON_MODULE, "module", _read(macros, f"{RIBBON_MODULE}.bas")),
        VbaModule("xlwings_udfs", "module", udfs),
        VbaModule(HELP_MODULE, "module", _read(macros, f"{HELP_MODULE}.bas")),
    ]
    return modules


# ---- workbooks ---------------------------------------------------------------------------


def _conf_sheet(wb: Workbook, *, hidden: bool) -> None:
    # xlwings reads "UDF MODULES" from a sheet named after the project (sheet before files);
    # an add-in's sheets are never shown, a workbook's is hidden.
    ws = wb.create_sheet(CONF_SHEET)
    ws["A1"], ws["B1"] = "UDF MODULES", UDF_MODULE
    if hidden:
        ws.sheet_state = "hidden"


def _code_names(wb: Workbook) -> list[str]:
    wb.code_name = "ThisWorkbook"
    codes = []
    for i, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{i}"
        codes.append(f"Sheet{i}")
    return codes


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_addin(macros: Path = MACROS) -> bytes:
    """The bytes of ``xlbudget.xlam``."""
    from openpyxl import Workbook as NewWorkbook

    wb = NewWorkbook()
    wb.remove(wb.active)
    _conf_sheet(wb, hidden=False)
    codes = _code_names(wb)
    vba = build_vba_project(
        vba_modules(macros, codes, _read(macros, "xlwings_udfs.bas")),
        project_id=_PROJECT_IDS[ADDIN],
    )
    custom_ui = _read(macros, "customUI.xml").encode("utf-8")
    return _package(_save(wb), _CT_ADDIN, vba, custom_ui=custom_ui)


def build_demo(macros: Path = MACROS) -> bytes:
    """The bytes of ``xlbudget-demo.xlsm``: a sample workbook with the buttons on a first sheet."""
    import tempfile

    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font

    from xlbudget.generate import generate, write

    with tempfile.TemporaryDirectory() as tmp:
        sample = write(generate(DEMO_SEED), Path(tmp) / "sample.xlsx", layout="shanghai")
        wb = load_workbook(sample.path)
    wrong = []
    for key, change in DEMO_ERRORS:
        sheet, cell = sample.cells[key]
        shown = sample.shown[key]
        if shown is None:
            raise BuildError(f"示例工作簿的 {sheet}!{cell} 是空白，无法放入示例错误")
        wb[sheet][cell].value = float(shown + change)
        wrong.append(f"“{sheet}”{cell}")
    ws = wb.create_sheet(DEMO_SHEET, 0)
    wb.active = 0
    ws.column_dimensions["A"].width = 2
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 90
    ws["B2"] = "xlbudget 决算校验 示例工作簿"
    ws["B2"].font = Font(size=16, bold=True)
    ws["C4"] = "左侧按钮与加载项“决算校验”选项卡上的按钮相同，作用于本工作簿后面的九张公开表。"
    ws["C5"] = (f"示例中故意写错了 {len(wrong)} 个数：{'、'.join(wrong)}。"
                "先点“校验”，再点“标注”看看。")
    items = buttons(_read(macros, "customUI.xml"))
    for i, button in enumerate(items):
        cell = ws.cell(row=6 + 3 * i, column=3, value=f"{button.label}：{button.tip}")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    _conf_sheet(wb, hidden=True)
    codes = _code_names(wb)
    vba = build_vba_project(
        vba_modules(macros, codes, udf_module(DEMO)), project_id=_PROJECT_IDS[DEMO]
    )
    drawing = _button_drawing(items, first_row=5, rows_each=3, column=1)
    return _package(_save(wb), _CT_XLSM, vba, drawing=(DEMO_SHEET, drawing))


def _button_drawing(items: list[Button], *, first_row: int, rows_each: int, column: int) -> bytes:
    """A drawing with one rounded rectangle per button, each running its Sub when clicked
    (the shape's ``macro`` attribute, ECMA-376 Part 1 §20.5.2.29)."""
    xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    root = ET.Element(f"{{{xdr}}}wsDr")
    for i, button in enumerate(items):
        anchor = ET.SubElement(root, f"{{{xdr}}}twoCellAnchor", editAs="absolute")
        row = first_row + rows_each * i
        for tag, (c, r) in (("from", (column, row)), ("to", (column + 1, row + rows_each - 1))):
            mark = ET.SubElement(anchor, f"{{{xdr}}}{tag}")
            for name, value in (("col", c), ("colOff", 0), ("row", r), ("rowOff", 0)):
                ET.SubElement(mark, f"{{{xdr}}}{name}").text = str(value)
        sp = ET.SubElement(anchor, f"{{{xdr}}}sp", macro=f"[0]!{button.action}", textlink="")
        nv = ET.SubElement(sp, f"{{{xdr}}}nvSpPr")
        ET.SubElement(nv, f"{{{xdr}}}cNvPr", id=str(i + 2), name=button.id, descr=button.label)
        ET.SubElement(nv, f"{{{xdr}}}cNvSpPr")
        props = ET.SubElement(sp, f"{{{xdr}}}spPr")
        geom = ET.SubElement(props, f"{{{a}}}prstGeom", prst="roundRect")
        ET.SubElement(geom, f"{{{a}}}avLst")
        fill = ET.SubElement(props, f"{{{a}}}solidFill")
        ET.SubElement(fill, f"{{{a}}}srgbClr", val="1F6FB2")
        body = ET.SubElement(sp, f"{{{xdr}}}txBody")
        ET.SubElement(body, f"{{{a}}}bodyPr", anchor="ctr", rtlCol="0")
        ET.SubElement(body, f"{{{a}}}lstStyle")
        para = ET.SubElement(body, f"{{{a}}}p")
        ET.SubElement(para, f"{{{a}}}pPr", algn="ctr")
        run = ET.SubElement(para, f"{{{a}}}r")
        rpr = ET.SubElement(run, f"{{{a}}}rPr", lang="zh-CN", sz="1200", b="1")
        color = ET.SubElement(rpr, f"{{{a}}}solidFill")
        ET.SubElement(color, f"{{{a}}}srgbClr", val="FFFFFF")
        ET.SubElement(run, f"{{{a}}}t").text = button.label
        ET.SubElement(anchor, f"{{{xdr}}}clientData")
    return _xml(root, prefixes={"xdr": xdr, "a": a})


# ---- package -----------------------------------------------------------------------------


def _xml(root: ET.Element, default: str | None = None,
         prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise a part with ``default`` as its unprefixed namespace, as Office writes them."""
    # ElementTree's default_namespace= refuses unprefixed attributes, so the prefix map (a
    # global whose "" entry the last registration owns) is set just before writing.
    for prefix, uri in {**(prefixes or {}), **({"": default} if default else {})}.items():
        ET.register_namespace(prefix, uri)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body).encode("utf-8")


def _add_rel(parts: dict[str, bytes], rels_name: str, rel_type: str, target: str) -> str:
    """Add a relationship to ``rels_name`` (created when missing) and return its id."""
    root = ET.fromstring(parts[rels_name]) if rels_name in parts else ET.Element(
        f"{{{_NS['rel']}}}Relationships"
    )
    ids = {rel.get("Id") for rel in root}
    rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
    ET.SubElement(root, f"{{{_NS['rel']}}}Relationship", Id=rid, Type=rel_type, Target=target)
    parts[rels_name] = _xml(root, _NS["rel"])
    return rid


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    book = ET.fromstring(parts["xl/workbook.xml"])
    rid = next(
        s.get(f"{{{_NS['r']}}}id")
        for s in book.iter(f"{{{_NS['main']}}}sheet")
        if s.get("name") == sheet
    )
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target", "") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _package(
    workbook: bytes,
    content_type: str,
    vba: bytes,
    *,
    custom_ui: bytes | None = None,
    drawing: tuple[str, bytes] | None = None,
) -> bytes:
    """Turn openpyxl's .xlsx into a macro-enabled package holding ``vba`` (and a ribbon or a
    button drawing), with fixed times so that the bytes repeat."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        parts = {name: source.read(name) for name in source.namelist()}

    types = ET.fromstring(parts["[Content_Types].xml"])
    for override in types.iter(f"{{{_NS['ct']}}}Override"):
        if override.get("PartName") == "/xl/workbook.xml":
            override.set("ContentType", content_type)

    def override(part: str, kind: str) -> None:
        ET.SubElement(types, f"{{{_NS['ct']}}}Override", PartName=part, ContentType=kind)

    parts["xl/vbaProject.bin"] = vba
    override("/xl/vbaProject.bin", _CT_VBA)
    _add_rel(parts, "xl/_rels/workbook.xml.rels", _REL_VBA, "vbaProject.bin")
    if custom_ui is not None:
        parts["customUI/customUI.xml"] = custom_ui
        _add_rel(parts, "_rels/.rels", _REL_UI, "customUI/customUI.xml")
    if drawing is not None:
        sheet, xml = drawing
        sheet_path = _sheet_part(parts, sheet)
        folder, name = sheet_path.rsplit("/", 1)
        parts["xl/drawings/xlbudget_buttons.xml"] = xml
        override("/xl/drawings/xlbudget_buttons.xml", _CT_DRAWING)
        rid = _add_rel(
            parts, f"{folder}/_rels/{name}.rels", _REL_DRAWING, "../drawings/xlbudget_buttons.xml"
        )
        parts[sheet_path] = _with_drawing(parts[sheet_path], rid)
    parts["[Content_Types].xml"] = _xml(types, _NS["ct"])
    if "docProps/core.xml" in parts:
        parts["docProps/core.xml"] = _fixed_dates(parts["docProps/core.xml"])

    out = io.BytesIO()
    order = ["[Content_Types].xml", *sorted(n for n in parts if n != "[Content_Types].xml")]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, parts[name], compresslevel=9)
    return out.getvalue()


def _with_drawing(sheet_xml: bytes, rid: str) -> bytes:
    # CT_Worksheet's sequence puts <drawing> after these elements (ECMA-376 Part 1 §18.3.1.99).
    before = {"sheetData", "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios",
              "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
              "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
              "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
              "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags"}
    root = ET.fromstring(sheet_xml)
    position = max(i for i, child in enumerate(root) if child.tag.split("}")[1] in before) + 1
    element = ET.Element(f"{{{_NS['main']}}}drawing")
    element.set(f"{{{_NS['r']}}}id", rid)
    root.insert(position, element)
    return _xml(root, _NS["main"], {"r": _NS["r"]})


def _fixed_dates(core: bytes) -> bytes:
    root = ET.fromstring(core)
    for tag in ("created", "modified"):
        for element in root.iter(f"{{{_NS['dcterms']}}}{tag}"):
            element.text = _FIXED_DATE
    prefixes = {"cp": _NS["cp"], "dcterms": _NS["dcterms"], "dc": "http://purl.org/dc/elements/1.1/",
                "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    return _xml(root, prefixes=prefixes)


# ---- command -----------------------------------------------------------------------------


def build(out: Path = DIST, macros: Path = MACROS) -> list[Path]:
    """Refresh the generated sources, then write the add-in and the demo into ``out``."""
    refresh_sources(macros)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in ((ADDIN, build_addin(macros)), (DEMO, build_demo(macros))):
        path = out / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m xlbudget.excel.build", description="由 macros/ 中的源文件生成 Excel 加载项"
    )
    parser.add_argument("--out", type=Path, default=DIST, help="输出目录（默认 dist/）")
    parser.add_argument("--macros", type=Path, default=MACROS, help="源文件目录（默认 macros/）")
    parser.add_argument(
        "--check", action="store_true", help="只检查 macros/ 中生成的源文件是否最新，不写文件"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = refresh_sources(args.macros, check=True)
            for name in stale:
                print(f"过期：macros/{name}（运行 python -m xlbudget.excel.build 更新）")
            return 1 if stale else 0
        if not args.macros.is_dir():
            raise BuildError(f"找不到源文件目录 {args.macros}")
        for path in build(args.out, args.macros):
            print(f"已生成 {path}")
    except (BuildError, ValueError, RuntimeError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
