"""The built add-in and demo, proven by readers we did not write: oletools (VBA modules and
their source), LibreOffice headless (opens the files and exposes the macros as a Basic
library), openpyxl and the standard zip/XML readers (package parts)."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xlwings
from oletools.olevba import VBA_Parser

from xlbudget.excel import build
from xlbudget.excel.macros import ADDIN, MACROS, REPO, UDF_MODULE, XLWINGS_PIN, refresh_sources
from xlbudget.excel.ribbon import buttons
from xlbudget.excel.vba_project import VbaModule
from xlbudget.excel.vba_udfs import udf_wrapper_module

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools + pyparsing

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
EXPECTED_LABELS = ["校验", "标注", "修正", "出错说明", "图表数据", "清除标注", "帮助"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("addin")
    paths = {}
    for name, make in ((ADDIN, build.build_addin), (build.DEMO, build.build_demo)):
        paths[name] = out / name
        paths[name].write_bytes(make())
    return paths


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _source(name: str) -> str:
    return (MACROS / name).read_text(encoding="utf-8")


def _subs(code: str) -> set[str]:
    return set(re.findall(r"^Public Sub (\w+)\(", code, re.M))


def test_generated_sources_in_macros_are_current() -> None:
    stale = refresh_sources(check=True)
    assert stale == [], f"run `python -m xlbudget.excel.build` to refresh macros/{stale}"


def test_olevba_lists_exactly_our_modules_with_our_text(built: dict[str, Path]) -> None:
    found = _macros(built[ADDIN])
    assert set(found) == {
        "ThisWorkbook.cls", "Sheet1.cls", "xlwings.bas", "Dictionary.cls",
        "xlbudget_ribbon.bas", "xlwings_udfs.bas", "xlbudget_udfhelp.bas",
    }
    for name, kind in (("ThisWorkbook", "document"), ("xlwings", "module"),
                       ("Dictionary", "class"), ("xlbudget_ribbon", "module"),
                       ("xlwings_udfs", "module"), ("xlbudget_udfhelp", "module")):
        suffix = ".bas" if kind == "module" else ".cls"
        expected = VbaModule(name, kind, _source(name + suffix)).stored_text()  # type: ignore[arg-type]
        assert found[name + suffix] == expected


def test_demo_has_one_document_module_per_sheet(built: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(built[build.DEMO], keep_vba=True)
    found = _macros(built[build.DEMO])
    sheet_modules = {name[:-4] for name in found if name.startswith("Sheet")}
    assert sheet_modules == {ws.sheet_properties.codeName for ws in wb.worksheets}
    assert wb.code_name == "ThisWorkbook"
    assert wb.sheetnames[0] == build.DEMO_SHEET
    assert wb[build.CONF_SHEET].sheet_state == "hidden"
    assert wb[build.CONF_SHEET]["B1"].value == UDF_MODULE
    assert len(wb.sheetnames) > 3  # the sample's tables follow


def test_ribbon_tab_and_buttons(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built[ADDIN]) as z:
        ui = z.read("customUI/customUI.xml")
        rels = ET.fromstring(z.read("_rels/.rels"))
        types = z.read("[Content_Types].xml").decode()
        book_rels = z.read("xl/_rels/workbook.xml.rels").decode()
    assert ui == _source("customUI.xml").encode("utf-8")
    assert any(
        r.get("Target") == "customUI/customUI.xml"
        and r.get("Type") == "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
        for r in rels.iter(f"{REL}Relationship")
    )
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    # Parts keep Office's form: unprefixed default namespace, double-quoted declaration.
    assert types.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types ')
    assert 'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in (
        types
    )
    assert 'Target="vbaProject.bin"' in book_rels
    tabs = list(ET.fromstring(ui).iter(f"{UI}tab"))
    assert [t.get("label") for t in tabs] == ["决算校验"]
    assert [b.label for b in buttons(ui.decode())] == EXPECTED_LABELS


def test_every_on_action_names_an_existing_sub(built: dict[str, Path]) -> None:
    subs = _subs(_macros(built[ADDIN])["xlbudget_ribbon.bas"])
    actions = [b.action for b in buttons(_source("customUI.xml"))]
    assert actions and set(actions) <= subs
    assert len(subs) == len(actions)  # one Sub per button, none left over


def test_every_sub_runs_an_existing_python_action(built: dict[str, Path]) -> None:
    code = _macros(built[ADDIN])["xlbudget_ribbon.bas"]
    bodies = re.findall(r"^Public Sub (\w+)\(.*?\)\n(.*?)^End Sub", code.replace("\r\n", "\n"),
                        re.M | re.S)
    assert len(bodies) == len(EXPECTED_LABELS)
    for sub, body in bodies:
        command = re.fullmatch(r'\s*RunPython "([^"]+)"\s*', body)
        # XlbExplain first asks for the text, then splices it (as hex) into the statement.
        asked = re.fullmatch(r'\s*Dim text As Variant\n\s*text = Application\.InputBox\(.*?\n'
                             r'\s*If VarType\(text\) = vbBoolean Then Exit Sub\n'
                             r'\s*RunPython "([^"]+)" & Hex16\(CStr\(text\)\) & "([^"]+)"\s*',
                             body, re.S)
        assert command or (sub == "XlbExplain" and asked), f"{sub} must only call RunPython"
        statement = command.group(1) if command else asked.group(1) + "0041" + asked.group(2)
        # Run the Python statement's imports for real and find the called function.
        tree = ast.parse(statement)
        imports = [n for n in tree.body if isinstance(n, ast.Import)]
        calls = [n.value for n in tree.body if isinstance(n, ast.Expr)]
        assert len(imports) == 1 and len(calls) == 1
        alias = imports[0].names[0]
        module = importlib.import_module(alias.name)
        call = calls[0]
        assert isinstance(call, ast.Call)
        assert [a.value for a in call.args] == ([] if command else ["0041"])
        assert isinstance(call.func, ast.Attribute)
        assert isinstance(call.func.value, ast.Name)
        assert call.func.value.id == (alias.asname or alias.name)
        function = getattr(module, call.func.attr)
        params = inspect.signature(function).parameters.values()
        assert callable(function) and len(params) == len(call.args)
        assert all(p.default is not inspect.Parameter.empty for p in params)


def test_xlwings_version_in_vba_is_the_pinned_one(built: dict[str, Path]) -> None:
    code = _macros(built[ADDIN])["xlwings.bas"]
    version = re.search(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', code, re.M)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["optional-dependencies"]["excel"]
            if d.startswith("xlwings")]
    assert version and version.group(1) == XLWINGS_PIN == xlwings.__version__
    assert pins == [f"xlwings=={XLWINGS_PIN}"]
    assert 'PROJECT_NAME As String = "xlbudget"' in code
    assert "ActiveWorkbook.FullName" in code  # the custom add-in flavour: acts on the user's book


def test_udf_wrappers_cover_every_udf(built: dict[str, Path]) -> None:
    import xlbudget.excel.udfs as udfs

    code = _macros(built[ADDIN])["xlwings_udfs.bas"]
    names = {n for n in dir(udfs) if n.startswith("XLB_") and callable(getattr(udfs, n))}
    assert names and set(re.findall(r"^Function (XLB_\w+)\(", code, re.M)) == names
    assert "ActiveWorkbook, Application.Caller" in code  # add-in: the caller's workbook
    demo = _macros(built[build.DEMO])["xlwings_udfs.bas"]
    assert "ThisWorkbook, Application.Caller" in demo and "ActiveWorkbook" not in demo


def _decode(hex_codes: str) -> str:
    return "".join(chr(int(hex_codes[i:i + 4], 16)) for i in range(0, len(hex_codes), 4))


def _registered_help(code: str) -> dict[str, tuple[str, str, list[str]]]:
    """Replay the generated RegisterUdfHelp: function -> (description, category, arguments)."""
    found: dict[str, tuple[str, str, list[str]]] = {}
    values: dict[str, str] = {}
    arguments: list[str] = []
    for line in code.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if m := re.fullmatch(r'(d|a\(\d+\)) = (?:\1 & )?U\("([0-9A-F]*)"\)', line):
            target, text = m.group(1), _decode(m.group(2))
            values[target] = values.get(target, "") + text if "&" in line else text
            if target.startswith("a("):
                index = int(target[2:-1])
                arguments[index] = values[target]
        elif m := re.fullmatch(r"ReDim a\(0 To (\d+)\)", line):
            arguments = [""] * (int(m.group(1)) + 1)
            values = {k: v for k, v in values.items() if k == "d"}
        elif line == "a = Empty":
            arguments = []
        elif m := re.fullmatch(r'Register "(\w+)", d, U\("([0-9A-F]*)"\), a', line):
            found[m.group(1)] = (values["d"], _decode(m.group(2)), list(arguments))
    return found


def _arg_docs(path: str, function: str) -> list[str]:
    """The ``doc=`` of each ``@xw.arg`` on ``function``, read from its source."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    docs = {}
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "arg":
            name = ast.literal_eval(deco.args[0])
            docs[name] = next(ast.literal_eval(k.value) for k in deco.keywords if k.arg == "doc")
    return [docs[a.arg] for a in node.args.args if a.arg in docs]


def test_udf_help_is_registered_in_chinese_when_the_file_opens(built: dict[str, Path]) -> None:
    import xlbudget.excel.udfs as udfs

    found = _macros(built[ADDIN])
    assert "RegisterUdfHelp" in found["ThisWorkbook.cls"].split("Sub Workbook_Open()")[1]
    helps = _registered_help(found["xlbudget_udfhelp.bas"])
    names = {n for n in dir(udfs) if n.startswith("XLB_") and callable(getattr(udfs, n))}
    assert set(helps) == names
    description, category, arguments = helps["XLB_PCT"]
    assert description == inspect.getdoc(udfs.XLB_PCT)
    assert category == udfs.CATEGORY
    assert arguments == _arg_docs(udfs.__file__, "XLB_PCT")
    assert len(arguments) == 3
    assert helps["XLB_CHECK"][2] == []  # the caller argument is Excel's, not the user's
    assert all(len(line) < 1024 for line in found["xlbudget_udfhelp.bas"].splitlines())


def _import_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    # The generator runs in a child process: put the test's module folder on its path.
    paths = [str(folder), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


def test_udf_wrapper_generation_follows_xlwings(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_udfs.py").write_text(
        "import xlwings as xw\n\n"
        "@xw.func\n@xw.arg('x', doc='x')\ndef PLAIN(x, digits=2):\n    return x\n\n"
        "@xw.func(volatile=True, call_in_wizard=False)\ndef MANY(*values):\n    return 0\n\n"
        "@xw.func\ndef WHO(x, caller):\n    return 0\n\n"
        "def not_a_udf():\n    return 0\n",
        encoding="utf-8",
    )
    _import_path(monkeypatch, tmp_path)
    text = udf_wrapper_module("my_udfs", "book.xlam")
    assert text.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert "Function PLAIN(x, Optional digits)" in text
    assert "Function MANY(ParamArray values())" in text
    assert "Application.Volatile" in text
    assert 'If (Not Application.CommandBars("Standard").Controls(1).Enabled)' in text
    assert "Function WHO(x)" in text and 'Array(x, Nothing), ActiveWorkbook' in text
    assert "not_a_udf" not in text
    assert "ThisWorkbook" in udf_wrapper_module("my_udfs", "book.xlsm")


def test_udf_wrapper_generation_reports_a_broken_module(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad_udfs.py").write_text(
        "import xlwings as xw\n\n@xw.func\n@xw.arg('nope')\ndef F(x):\n    return x\n",
        encoding="utf-8",
    )
    _import_path(monkeypatch, tmp_path)
    with pytest.raises(RuntimeError, match="无法从 bad_udfs 生成"):
        udf_wrapper_module("bad_udfs", "book.xlam")


def test_demo_buttons_run_the_ribbon_subs(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built[build.DEMO]) as z:
        drawing = ET.fromstring(z.read("xl/drawings/xlbudget_buttons.xml"))
        sheet_rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        types = z.read("[Content_Types].xml").decode()
    shapes = list(drawing.iter(f"{XDR}sp"))
    texts = ["".join(t.text or "" for t in s.iter() if t.tag.endswith("}t")) for s in shapes]
    assert texts == EXPECTED_LABELS
    subs = _subs(_macros(built[build.DEMO])["xlbudget_ribbon.bas"])
    assert {s.get("macro", "").removeprefix("[0]!") for s in shapes} == subs
    assert "../drawings/xlbudget_buttons.xml" in sheet_rels and "<drawing " in sheet
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types


def test_build_is_deterministic(built: dict[str, Path]) -> None:
    assert build.build_addin() == built[ADDIN].read_bytes()
    assert build.build_demo() == built[build.DEMO].read_bytes()
    with zipfile.ZipFile(built[ADDIN]) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:modified" in core and "2024-01-01T00:00:00Z" in core


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice is not installed")
    return found


def _libreoffice_ods(path: Path, tmp_path: Path) -> Path:
    """Convert ``path`` to .ods with LibreOffice and return the new file."""
    out = tmp_path / "ods"
    # LibreOffice's type detection skips .xlam by extension; name the filter explicitly.
    subprocess.run(
        [_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--infilter=Calc Office Open XML", "--convert-to", "ods", "--outdir", str(out),
         str(path)],
        check=True, capture_output=True, timeout=240,
    )
    return out / (path.stem + ".ods")


def _basic_modules(ods: Path) -> dict[str, str]:
    """The Basic modules LibreOffice made of the VBA project: name -> kind + newline + code."""
    script = "{http://openoffice.org/2000/script}"
    modules = {}
    with zipfile.ZipFile(ods) as z:
        for name in z.namelist():
            if name.startswith("Basic/VBAProject/") and not name.endswith("script-lb.xml"):
                root = ET.fromstring(z.read(name))
                modules[root.get(f"{script}name", "")] = (
                    root.get(f"{script}moduleType", "") + "\n" + (root.text or ""))
    return modules


# Lines that hold attributes rather than code; LibreOffice turns them into its own options.
_ATTRIBUTE_LINES = ("Attribute ", "Rem Attribute", "Option VBASupport", "Option ClassModule")


def _without_attributes(code: str) -> list[str]:
    lines = code.replace("\r\n", "\n").split("\n")
    return [ln for ln in lines if ln and not ln.startswith(_ATTRIBUTE_LINES)]


@pytest.mark.parametrize("name", [ADDIN, build.DEMO])
def test_libreoffice_opens_the_file_and_exposes_the_macros(
    built: dict[str, Path], name: str, tmp_path: Path
) -> None:
    ods = _libreoffice_ods(built[name], tmp_path)
    modules = _basic_modules(ods)
    assert {"xlwings", "Dictionary", "xlbudget_ribbon", "xlwings_udfs", "xlbudget_udfhelp",
            "ThisWorkbook"} <= set(modules)
    assert modules["Dictionary"].startswith("class\n")
    assert modules["xlbudget_ribbon"].startswith("normal\n")
    ribbon = modules["xlbudget_ribbon"].split("\n", 1)[1]
    assert _without_attributes(ribbon) == _without_attributes(_source("xlbudget_ribbon.bas"))
    xlwings_code = modules["xlwings"].split("\n", 1)[1]
    assert _without_attributes(xlwings_code) == _without_attributes(_source("xlwings.bas"))
    if name == build.DEMO:
        # LibreOffice binds each button shape to its Sub in the document's VBA project.
        with zipfile.ZipFile(ods) as z:
            content = z.read("content.xml").decode("utf-8")
        bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.xlbudget_ribbon\.(\w+)\?",
                           content)
        assert bound == [b.action for b in buttons(_source("customUI.xml"))]


def test_build_command_writes_both_files_and_checks_sources(
    built: dict[str, Path], tmp_path: Path
) -> None:
    def run(*args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        return subprocess.run([sys.executable, "-m", "xlbudget.excel.build", *args],
                              capture_output=True, text=True, cwd=REPO, env=env,
                              check=False)

    checked = run("--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr  # before anything is written
    done = run("--out", str(tmp_path), seed="12345")
    assert done.returncode == 0, done.stderr
    # Another process, another hash seed: the same bytes as this process built.
    for name in (ADDIN, build.DEMO):
        assert (tmp_path / name).read_bytes() == built[name].read_bytes()


def test_build_reports_bad_sources_in_chinese(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert build.main(["--macros", str(tmp_path / "none"), "--out", str(tmp_path / "o")]) == 2
    assert "找不到源文件目录" in capsys.readouterr().err

    macros = tmp_path / "macros"
    shutil.copytree(MACROS, macros)
    ribbon = macros / "xlbudget_ribbon.bas"
    ribbon.write_text(ribbon.read_text(encoding="utf-8").replace("a.check()", "a.校验()"),
                      encoding="utf-8")
    assert build.main(["--macros", str(macros), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "模块 xlbudget_ribbon 第 8 行" in err and "Traceback" not in err
    assert not (tmp_path / "o" / ADDIN).exists()


def test_demo_errors_are_found_by_the_engine(built: dict[str, Path], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from xlbudget.engine import check_file
    from xlbudget.generate import generate, write

    sample = write(generate(build.DEMO_SEED), tmp_path / "clean.xlsx", layout="shanghai")
    result = check_file(str(built[build.DEMO]))
    errors = {(f.sheet, f.cell) for f in result.findings if f.severity == "error"}
    wb = load_workbook(built[build.DEMO], keep_vba=True)
    for key, change in build.DEMO_ERRORS:
        sheet, cell = sample.cells[key]
        assert (sheet, cell) in errors
        assert wb[sheet][cell].value == pytest.approx(float(sample.shown[key] + change))
        assert f"“{sheet}”{cell}" in wb[build.DEMO_SHEET]["C5"].value
