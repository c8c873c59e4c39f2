"""The ribbon's buttons as ``customUI.xml`` declares them, and the same buttons drawn as shapes
on a worksheet (the demo's first sheet)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

from xlbudget.excel.package import NS, to_xml


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
        for b in root.iter(f"{{{NS['ui']}}}button")
    ]


def button_drawing(items: list[Button], *, first_row: int, rows_each: int, column: int) -> bytes:
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
    return to_xml(root, prefixes={"xdr": xdr, "a": a})
