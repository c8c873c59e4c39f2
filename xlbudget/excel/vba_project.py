"""Write a source-only VBA project (``vbaProject.bin``) from module texts (MS-OVBA).

ms-ovba builds the records (dir stream, PROJECT, _VBA_PROJECT, PROJECTwm) and
ms-ovba-compression compresses the streams. What this module adds, and why:

- ms-ovba writes every stream through fixed file names in the current directory; only its
  ``to_bytes``/``pack`` views are used here, and the container comes from :mod:`vba_cfb`.
- ms-ovba's CMG/DPB/GC obfuscation (MS-OVBA 2.4.3.2) draws its seed from the global
  ``random`` module, so two builds differ; it is given a seeded generator while it runs.
- ms-ovba-compression 1.0.1 caps a match at ``0xFFFF << (BitCount + 3)`` instead of
  ``(0xFFFF >> BitCount) + 3`` (MS-OVBA 2.4.1.3.19.1), so any repeat longer than the copy
  token can hold corrupts the stream; :class:`Compressor` replaces its matching step.
- ms-ovba has no class modules; MS-OVBA 2.3.4.2.3.2.8 gives them MODULETYPE 0x0022 and
  the PROJECT stream a ``Class=`` line (2.3.1.5).

The ``_VBA_PROJECT`` stream carries no performance cache (version 0xFFFF, MS-OVBA 2.3.4.1)
and every module's offset is 0, so the project holds source only and the host compiles it
when the file opens.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

ModuleKind = Literal["module", "class", "document"]

#: The project's code page; the sources must be plain text in it (MS-OVBA 2.3.4.2.1.4).
CODEPAGE = "cp1252"

#: VB_Base of the workbook's and a worksheet's document module: Excel's coclasses.
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

# The references Excel itself writes (OLE Automation, Office); the VBA and Excel libraries are
# built in and not listed. The paths are informative: Excel resolves a registered type library
# by its GUID.
_REFERENCES = (
    ("stdole", "00020430-0000-0000-C000-000000000046", "2.0", "0",
     r"C:\Windows\System32\stdole2.tlb", "OLE Automation"),
    ("Office", "2DF8D04C-5BFA-101B-BDE5-00AA0044DE52", "2.8", "0",
     r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
     "Microsoft Office 16.0 Object Library"),
)

_EXPORT_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\r?\nBEGIN\r?\n.*?^END\r?\n", re.S | re.M)
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]*)"', re.M)


@dataclass(frozen=True)
class VbaModule:
    """One module: its name, kind and source text as the VBA editor would export it."""

    name: str
    kind: ModuleKind
    code: str

    def stored_text(self) -> str:
        """The text kept in the module stream: CRLF lines, no export header, the right VB_Name."""
        text = _EXPORT_HEADER.sub("", self.code.replace("\r\n", "\n").replace("\n", "\r\n"))
        found = _VB_NAME.search(text)
        if not found or found.group(1) != self.name:
            raise ValueError(f"模块 {self.name} 的源码缺少 Attribute VB_Name = \"{self.name}\"")
        return text if text.endswith("\r\n") else text + "\r\n"

    def stored_bytes(self) -> bytes:
        try:
            return self.stored_text().encode(CODEPAGE)
        except UnicodeEncodeError as exc:
            line = self.stored_text()[: exc.start].count("\r\n") + 1
            raise ValueError(
                f"模块 {self.name} 第 {line} 行含有代码页 {CODEPAGE} 之外的字符，"
                "VBA 源码请只用 ASCII（中文界面文字放在 customUI.xml 或 Python 中）"
            ) from exc


def document_module(name: str, base: str, code: str = "") -> VbaModule:
    """A workbook or worksheet module with the attributes Excel gives it."""
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return VbaModule(name, "document", "\r\n".join(attrs) + "\r\n" + code)


@contextmanager
def _seeded_obfuscation(seed: int) -> Iterator[None]:
    # MsOvbaCrypto.encrypt calls the module-level ``random``; swap in a seeded generator.
    from ms_ovba_crypto import ms_ovba_crypto

    saved = ms_ovba_crypto.random
    ms_ovba_crypto.random = random.Random(seed)  # type: ignore[assignment]
    try:
        yield
    finally:
        ms_ovba_crypto.random = saved


def _compressor_class() -> type:
    from ms_ovba_compression.ms_ovba import MsOvba

    class Compressor(MsOvba):
        """MS-OVBA 2.4.1 compression with a correct match length limit; candidates are found
        through an index of 3-byte prefixes instead of a scan of the whole chunk."""

        def _compress_chunk(self, data: bytes) -> bytes:
            self._prefixes: dict[bytes, list[int]] = {}
            self._indexed = 0
            return super()._compress_chunk(data)

        def _matching(self) -> tuple[int, int]:
            # MS-OVBA 2.4.1.3.19.4: the longest earlier match, the nearest on ties.
            chunk = self._activeChunk
            pos = len(chunk) - len(self._uncompressedData)
            while self._indexed < pos:
                key = chunk[self._indexed : self._indexed + 3]
                self._prefixes.setdefault(key, []).append(self._indexed)
                self._indexed += 1
            # A match is cut at the longest length a copy token holds, so the nearest
            # candidate reaching it ends the search.
            limit = min((0xFFFF >> MsOvba.copytoken_help(pos)["bitCount"]) + 3, len(chunk) - pos)
            best_len = best = 0
            for cand in reversed(self._prefixes.get(chunk[pos : pos + 3], ())):
                n = 0
                while n < limit and chunk[cand + n] == chunk[pos + n]:
                    n += 1
                if n > best_len:
                    best_len, best = n, cand
                    if n == limit:
                        break
            return (pos - best, best_len) if best_len >= 3 else (0, 0)

    return Compressor


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (2.4.1.1.1)."""
    return _compressor_class()().compress(data)


def build_vba_project(modules: Sequence[VbaModule], *, project_id: uuid.UUID) -> bytes:
    """Return ``vbaProject.bin`` bytes holding ``modules`` as source-only modules."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.module_base import ModuleBase
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.dirStream import DirStream
    from ms_ovba.Views.project import Project
    from ms_ovba.Views.project_view import ProjectView
    from ms_ovba.Views.projectWm import ProjectWm

    from xlbudget.excel.vba_cfb import write_cfb

    class ClassModule(ModuleBase):
        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.type = "Class"

        def pack(self, endien: str, cp_name: str) -> bytes:
            # ModuleBase writes MODULETYPE 0x0022 only when type == "Document".
            self.type = "Document"
            try:
                return super().pack(endien, cp_name)
            finally:
                self.type = "Class"

    names = [m.name for m in modules]
    if len({n.lower() for n in names}) != len(names):
        raise ValueError(f"模块名重复：{names}")
    project = VbaProject()
    project.project_id = "{" + str(project_id).upper() + "}"
    project.codepage_name = CODEPAGE
    for ref_name, guid, version, lcid, path, reg_name in _REFERENCES:
        libid = LibidReference(uuid.UUID(guid), version, lcid, path, reg_name)
        project.add_reference(Reference(ReferenceRegistered(libid), ref_name))

    compressor = _compressor_class()()
    streams: dict[str, bytes] = {}
    kinds = {"module": StdModule, "class": ClassModule, "document": DocModule}
    for module in modules:
        record = kinds[module.kind](module.name)
        record.cache = b""  # no p-code: MODULEOFFSET 0, the stream is the compressed source
        project.add_module(record)
        streams[module.name] = compressor.compress(module.stored_bytes())

    streams["dir"] = compressor.compress(DirStream(project).to_bytes())
    streams["_VBA_PROJECT"] = ProjectView(project).to_bytes()
    with _seeded_obfuscation(project_id.int):
        project_text = Project(project).to_bytes()
    return write_cfb(
        {
            "VBA": streams,
            "PROJECT": project_text,
            "PROJECTwm": ProjectWm(project).to_bytes(),
        }
    )
