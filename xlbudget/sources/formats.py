"""What a file is, told by its content and not by its name: an Excel workbook (.xlsx/.xlsm or
.xls), or why not (encrypted, another Office format, text, HTML, PDF, a broken zip)."""

from __future__ import annotations

import mmap
import zipfile
from pathlib import Path

from xlbudget.sources.files import file_head
from xlbudget.sources.grid import SourceError

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def identify(p: Path) -> str:
    """``"xlsx"`` or ``"xls"``, told by content and not by name; SourceError (Chinese, naming
    the file) for anything else: missing, empty, text, another format, encrypted, broken."""
    head = file_head(p)
    if head.startswith(CFB_MAGIC):
        cfb_kind(p)
        return "xls"
    if head.startswith(ZIP_MAGIC):
        open_package(p).close()
        return "xlsx"
    raise SourceError(f"{p.name}：不是 Excel 工作簿（{what_text(p)}）")


# --- compound files (.xls, encrypted OOXML, other Office 97-2003 documents) -------------------

def _utf16_entry(name: str) -> bytes:
    return name.encode("utf-16-le") + b"\x00\x00"


#: stream name -> what a compound file holding it is (None: an Excel workbook)
_CFB_STREAMS: tuple[tuple[str, str | None], ...] = (
    ("EncryptedPackage", "encrypted"),
    ("Workbook", None),
    ("Book", None),
    ("WordDocument", "Word 97-2003 文档"),
    ("PowerPoint Document", "PowerPoint 97-2003 演示文稿"),
)


def cfb_kind(p: Path) -> None:
    """Raise unless the compound file is an Excel 97-2003 workbook. Directory entries are
    128-byte records (UTF-16 name, then its byte length at offset 64) on 128-byte boundaries;
    finding a stream's record by its name avoids walking the FAT chains (olefile would, but it
    is not a runtime dependency)."""
    with p.open("rb") as fh:
        try:
            data: mmap.mmap | bytes = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            data = fh.read()
        try:
            for name, what in _CFB_STREAMS:
                if _has_entry(data, name):
                    if what == "encrypted":
                        raise SourceError(f"{p.name}：文件已加密（设置了打开密码），"
                                          "请在 Excel 中取消密码后再校验")
                    if what is None:
                        return
                    raise SourceError(f"{p.name}：不是 Excel 工作簿（是 {what}）")
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
    raise SourceError(f"{p.name}：不是 Excel 工作簿（是其他格式的 Office 复合文档，"
                      "或文件已损坏）")


def _has_entry(data: mmap.mmap | bytes, name: str) -> bool:
    needle = _utf16_entry(name)
    length = len(needle).to_bytes(2, "little")
    at = data.find(needle)
    while at >= 0:
        if at % 128 == 0 and data[at + 64:at + 66] == length:
            return True
        at = data.find(needle, at + 1)
    return False


# --- text and other non-workbooks ------------------------------------------------------------

def what_text(p: Path) -> str:
    with p.open("rb") as fh:
        head = fh.read(4096)
    low = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if low.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in low:
        return "是 Excel 2003 XML 表格，请在 Excel 中另存为 .xlsx"
    if low.startswith((b"<!doctype html", b"<html")) or b"<table" in low:
        return "是网页（HTML）文件，常见于系统导出的“Excel”，请在 Excel 中另存为 .xlsx"
    if head.startswith(b"%PDF"):
        return "是 PDF 文件"
    if b"\x00" not in head:
        for enc in ("utf-8", "gb18030"):
            try:
                head.decode(enc)
            except UnicodeDecodeError:
                continue
            csv_like = b"," in head or b"\t" in head
            return ("是文本文件，看起来是 CSV，请在 Excel 中打开后另存为 .xlsx" if csv_like
                    else "是文本文件")
    return "无法识别的文件格式"


# --- packages (.xlsx, .xlsm; .xlsb and .ods are told apart) ----------------------------------

def open_package(p: Path) -> zipfile.ZipFile:
    """The zip package of a workbook; SourceError for a broken zip or one holding no workbook."""
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(f"{p.name}：文件已损坏（zip 包不完整或已截断，可能是没有下载或复制完整）"
                          ) from exc
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        what = _what_package(zf, names)
        zf.close()
        raise SourceError(f"{p.name}：不是 Excel 工作簿（{what}）")
    return zf


def _what_package(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return "是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx"
    if "mimetype" in names:
        kind = zf.read("mimetype")[:100]
        if b"spreadsheet" in kind:
            return "是 OpenDocument 表格（.ods），请另存为 .xlsx"
        return "是 OpenDocument 文档"
    if "word/document.xml" in names:
        return "是 Word 文档（.docx）"
    if "ppt/presentation.xml" in names:
        return "是 PowerPoint 演示文稿"
    return "是一个不含工作簿的 zip 压缩包"
