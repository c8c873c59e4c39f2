"""Put back into a package what openpyxl drops but can be kept as it was in the input.

openpyxl rewrites a workbook from its own object model. Three things it leaves out are copied
back from the input, part by part, after it has saved:

- package relationships whose parts it keeps (the Office 2010 ribbon ``customUI14.xml``);
- the cached results of formulas (readers that do not recalculate would see blanks);
- a sheet's drawing (pictures, text boxes, shapes) when openpyxl wrote none for that sheet
  (without Pillow it drops pictures, and it never keeps shapes): the drawing part and every part
  it refers to are copied under new names and linked again from the sheet.

What is still lost afterwards is found by ``safe.inventory`` and reported. OOXML is edited here
with regular expressions on machine-written parts (one element per match); a full XML parse of
every worksheet would cost more than the openpyxl round trip itself.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any

_REL = re.compile(rb"<Relationship\b[^>]*?/>")
_TARGET = re.compile(rb'Target="([^"]+)"')
# A formula cell as openpyxl writes it: the formula and an empty cached value.
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f[^>]*/>|<f[^>]*>.*?</f>)'
                           rb"(?:<v></v>|<v/>|<v />)?</c>", re.S)
_DRAWING = re.compile(rb'<(?:\w+:)?drawing\b[^>]*?:id="([^"]+)"')
# Worksheet elements that must follow <drawing> (ECMA-376 CT_Worksheet order).
_AFTER_DRAWING = (b"<legacyDrawing ", b"<legacyDrawingHF", b"<drawingHF", b"<picture ",
                  b"<oleObjects", b"<controls", b"<webPublishItems", b"<tableParts",
                  b"<extLst", b"</worksheet>")
_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DRAWING_REL = _REL_NS + b"/drawing"


def put_back(src: Path, dst: Path, *, formula_results: bool,
             skip_sheets: frozenset[str] = frozenset()) -> None:
    """Patch ``dst`` (just saved by openpyxl from ``src``) in place.

    ``formula_results``: copy cached formula results (only when no value was changed).
    ``skip_sheets``: sheets rewritten from scratch, whose old drawings must not come back.
    """
    with zipfile.ZipFile(src) as zs, zipfile.ZipFile(dst) as zd:
        changes = _package_relationships(zs, zd)
        if formula_results:
            changes.update(_formula_results(src, zd))
        changes.update(_drawings(zs, zd, skip_sheets, changes))
    if changes:
        _rewrite_parts(dst, changes)


def _package_relationships(zs: zipfile.ZipFile, zd: zipfile.ZipFile) -> dict[str, bytes]:
    """Package relationships openpyxl drops while it keeps their parts."""
    src_rels = zs.read("_rels/.rels") if "_rels/.rels" in zs.namelist() else b""
    names = set(zd.namelist())
    dst_rels = zd.read("_rels/.rels")
    have = {t.lstrip(b"/") for t in _TARGET.findall(dst_rels)}
    missing = []
    for rel in _REL.findall(src_rels):
        target = _TARGET.search(rel)
        if target and target.group(1).lstrip(b"/") not in have \
                and target.group(1).lstrip(b"/").decode() in names:
            missing.append(re.sub(rb'Id="[^"]*"', b'Id="rIdXlb%d"' % len(missing), rel))
    if not missing:
        return {}
    return {"_rels/.rels": dst_rels.replace(b"</Relationships>",
                                            b"".join(missing) + b"</Relationships>")}


def _formula_results(src: Path, zd: zipfile.ZipFile) -> dict[str, bytes]:
    """Worksheet parts with the input's cached formula results put back, exactly as calamine
    reads them from the input."""
    from xml.sax.saxutils import escape

    from xlbudget.sources.files import read_workbook, sheet_parts
    from xlbudget.sources.grid import from_a1

    parts = sheet_parts(zd)
    xml = {name: zd.read(part) for name, part in parts.items() if part in zd.namelist()}
    if not any(b"<f" in x for x in xml.values()):
        return {}
    grids = {g.name: g for g in read_workbook(src)}
    out: dict[str, bytes] = {}
    for name, body in xml.items():
        g = grids.get(name)
        if g is None or b"<f" not in body:
            continue

        def cached(m: re.Match[bytes], g: Any = g) -> bytes:
            rc = from_a1(m.group(1).decode())
            attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(2))
            if rc in g.uncached:
                return m.group(0)
            if rc in g.errors:
                kind, v = b"e", g.errors[rc]
            else:
                value = g.value(*rc)
                if value is None or value == "":
                    return m.group(0)
                if isinstance(value, bool):
                    kind, v = b"b", str(int(value))
                elif isinstance(value, (int, float)):
                    kind, v = b"n", repr(value)
                else:
                    kind, v = b"str", str(value)
            return (b'<c r="%s"%s t="%s">%s<v>%s</v></c>'
                    % (m.group(1), attrs, kind, m.group(3), escape(v).encode()))

        new = _FORMULA_CELL.sub(cached, body)
        if new != body:
            out[parts[name]] = new
    return out


def _rels_path(part: str) -> str:
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def _resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


class _Copier:
    """Copies a part and everything it refers to from the input, under names not yet taken."""

    def __init__(self, zs: zipfile.ZipFile, zd: zipfile.ZipFile, changes: dict[str, bytes]):
        self.zs, self.changes = zs, changes
        self.taken = set(zd.namelist()) | set(changes)
        self.mapping: dict[str, str] = {}
        self.new_parts: list[tuple[str, str]] = []  # (new name, input name)

    def copy(self, part: str) -> str:
        if part in self.mapping:
            return self.mapping[part]
        d, f = posixpath.split(part)
        n, new = 1, posixpath.join(d, f"xlb1_{f}")
        while new in self.taken:
            n += 1
            new = posixpath.join(d, f"xlb{n}_{f}")
        self.taken.add(new)
        self.mapping[part] = new
        self.new_parts.append((new, part))
        rels = _rels_path(part)
        if rels in self.zs.namelist():
            body = self.zs.read(rels)

            def retarget(m: re.Match[bytes]) -> bytes:
                rel = m.group(0)
                if b'TargetMode="External"' in rel:
                    return rel
                t = _TARGET.search(rel).group(1).decode()  # type: ignore[union-attr]
                copied = self.copy(_resolve(part, t))
                rel_target = posixpath.relpath(copied, posixpath.dirname(new))
                return _TARGET.sub(b'Target="' + rel_target.encode() + b'"', rel)

            self.changes[_rels_path(new)] = _REL.sub(retarget, body)
        self.changes[new] = self.zs.read(part)
        return new


def _drawings(zs: zipfile.ZipFile, zd: zipfile.ZipFile, skip: frozenset[str],
              changes: dict[str, bytes]) -> dict[str, bytes]:
    from xlbudget.sources.files import sheet_parts

    src_parts, dst_parts = sheet_parts(zs), sheet_parts(zd)
    copier = _Copier(zs, zd, changes)
    out: dict[str, bytes] = {}
    for name, sp in src_parts.items():
        dp = dst_parts.get(name)
        if name in skip or dp is None or sp not in zs.namelist():
            continue
        m = _DRAWING.search(zs.read(sp))
        sheet = changes.get(dp) or zd.read(dp)
        if m is None or _DRAWING.search(sheet) or _rels_path(sp) not in zs.namelist() \
                or b"</worksheet>" not in sheet:
            continue  # chart sheets keep their drawing through openpyxl
        rel = next((r for r in _REL.findall(zs.read(_rels_path(sp)))
                    if b'Id="' + m.group(1) + b'"' in r), None)
        if rel is None:
            continue
        drawing = copier.copy(_resolve(sp, _TARGET.search(rel).group(1).decode()))  # type: ignore[union-attr]
        rid = b"rIdXlbDr1"
        rels_name = _rels_path(dp)
        rels = out.get(rels_name) or (zd.read(rels_name) if rels_name in zd.namelist() else
                                      b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships '
                                      b'xmlns="http://schemas.openxmlformats.org/package/2006/'
                                      b'relationships"></Relationships>')
        target = posixpath.relpath(drawing, posixpath.dirname(dp)).encode()
        out[rels_name] = rels.replace(b"</Relationships>", b'<Relationship Id="' + rid
                                      + b'" Type="' + _DRAWING_REL + b'" Target="' + target
                                      + b'"/></Relationships>')
        if b'xmlns:r="' not in sheet[:2000]:
            sheet = re.sub(rb"<worksheet\b", b'<worksheet xmlns:r="' + _REL_NS + b'"', sheet,
                           count=1)
        at = min(i for i in (sheet.find(tag) for tag in _AFTER_DRAWING) if i >= 0)
        out[dp] = sheet[:at] + b'<drawing r:id="' + rid + b'"/>' + sheet[at:]
    if copier.new_parts:
        out["[Content_Types].xml"] = _content_types(zs, changes.get("[Content_Types].xml")
                                                    or zd.read("[Content_Types].xml"),
                                                    copier.new_parts)
    return out


def _content_types(zs: zipfile.ZipFile, dst_ct: bytes, parts: list[tuple[str, str]]) -> bytes:
    """``dst_ct`` with the content types of the copied parts, taken from the input's."""
    src_ct = zs.read("[Content_Types].xml")
    overrides = dict(re.findall(rb'<Override PartName="/([^"]+)" ContentType="([^"]+)"', src_ct))
    defaults = dict(re.findall(rb'<Default Extension="([^"]+)" ContentType="([^"]+)"', src_ct))
    have = {e.lower() for e in re.findall(rb'<Default Extension="([^"]+)"', dst_ct)}
    add = []
    for new, old in parts:
        ext = posixpath.splitext(old)[1].lstrip(".").encode()
        if old.encode() in overrides:
            add.append(b'<Override PartName="/' + new.encode() + b'" ContentType="'
                       + overrides[old.encode()] + b'"/>')
        elif ext.lower() not in have and ext in defaults:
            have.add(ext.lower())
            add.append(b'<Default Extension="' + ext + b'" ContentType="' + defaults[ext] + b'"/>')
    return dst_ct.replace(b"</Types>", b"".join(add) + b"</Types>")


def _rewrite_parts(dst: Path, changes: dict[str, bytes]) -> None:
    """Rewrite the package with ``changes`` (changed and new parts)."""
    tmp = dst.with_name(dst.name + ".parts")  # dst is a temporary name: so is this one
    try:
        with zipfile.ZipFile(dst) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            names = set(zin.namelist())
            for item in zin.infolist():
                zout.writestr(item, changes.get(item.filename) or zin.read(item.filename))
            for name, data in changes.items():
                if name not in names:
                    zout.writestr(name, data)
        tmp.replace(dst)
    finally:
        tmp.unlink(missing_ok=True)
