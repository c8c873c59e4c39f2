"""The VBA sources of the add-in in ``macros/``: where they are, the xlwings release they
carry, and the four generated from the installed packages (``xlwings.bas``, ``Dictionary.cls``,
``xlwings_udfs.bas``, ``xlbudget_udfhelp.bas``), refreshed by every build."""

from __future__ import annotations

from pathlib import Path

from xlbudget.excel.vba_udfs import HELP_MODULE, udf_help_module, udf_sources, udf_wrapper_module

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "macros"
#: the add-in's file name; the UDF wrappers in ``macros/`` are generated for it
ADDIN = "xlbudget.xlam"

#: The xlwings release whose VBA the add-in carries; pyproject's ``excel`` extra pins the same.
XLWINGS_PIN = "0.37.8"
#: xlwings reads its settings from ``~/.xlbudget/xlbudget.conf`` and a sheet ``xlbudget.conf``.
PROJECT_NAME = "xlbudget"
UDF_MODULE = "xlbudget.excel.udfs"


class BuildError(Exception):
    """A build that cannot go on; the message is for the user (Chinese)."""


def _xlwings_dir() -> Path:
    import xlwings  # deferred: start-up time

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
    from oletools.olevba import VBA_Parser  # deferred: start-up time

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
    return _lf(udf_wrapper_module(module_name, workbook_name))


def generated_sources() -> dict[str, str]:
    """File name in ``macros/`` -> text, for the sources made from installed packages."""
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


def read_source(macros: Path, name: str) -> str:
    """The text of the source ``name`` in ``macros``; BuildError when it is missing."""
    path = macros / name
    if not path.exists():
        raise BuildError(f"缺少源文件 {path}")
    return path.read_text(encoding="utf-8")
