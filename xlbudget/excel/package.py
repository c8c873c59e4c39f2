"""The OOXML package of a macro-enabled workbook: openpyxl's .xlsx turned into an .xlam or
.xlsm holding the VBA project, a ribbon or a button drawing, with fixed times so that the same
sources give the same bytes."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_DATE = "2024-01-01T00:00:00Z"

NS = {
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
CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_CT_VBA = "application/vnd.ms-office.vbaProject"
_CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"


def to_xml(root: ET.Element, default: str | None = None,
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
        f"{{{NS['rel']}}}Relationships"
    )
    ids = {rel.get("Id") for rel in root}
    rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
    ET.SubElement(root, f"{{{NS['rel']}}}Relationship", Id=rid, Type=rel_type, Target=target)
    parts[rels_name] = to_xml(root, NS["rel"])
    return rid


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    book = ET.fromstring(parts["xl/workbook.xml"])
    rid = next(
        s.get(f"{{{NS['r']}}}id")
        for s in book.iter(f"{{{NS['main']}}}sheet")
        if s.get("name") == sheet
    )
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target", "") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def macro_package(
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
    for override in types.iter(f"{{{NS['ct']}}}Override"):
        if override.get("PartName") == "/xl/workbook.xml":
            override.set("ContentType", content_type)

    def override(part: str, kind: str) -> None:
        ET.SubElement(types, f"{{{NS['ct']}}}Override", PartName=part, ContentType=kind)

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
    parts["[Content_Types].xml"] = to_xml(types, NS["ct"])
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
    element = ET.Element(f"{{{NS['main']}}}drawing")
    element.set(f"{{{NS['r']}}}id", rid)
    root.insert(position, element)
    return to_xml(root, NS["main"], {"r": NS["r"]})


def _fixed_dates(core: bytes) -> bytes:
    root = ET.fromstring(core)
    for tag in ("created", "modified"):
        for element in root.iter(f"{{{NS['dcterms']}}}{tag}"):
            element.text = _FIXED_DATE
    prefixes = {"cp": NS["cp"], "dcterms": NS["dcterms"], "dc": "http://purl.org/dc/elements/1.1/",
                "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    return to_xml(root, prefixes=prefixes)
