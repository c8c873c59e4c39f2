"""``xlbudget excel install/uninstall``: real copies into stand-in home folders for Windows and
macOS, and the plain refusal on Linux, through the real click command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlbudget.cli import main
from xlbudget.excel import build
from xlbudget.excel import install as install_module
from xlbudget.excel.install import (
    InstallError,
    built_addin,
    install,
    read_config,
    target,
    uninstall,
)
from xlbudget.excel.macros import ADDIN, MACROS, XLWINGS_PIN


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("built") / ADDIN
    path.write_bytes(build.build_addin())
    return path


def test_windows_install_copies_to_xlstart_and_writes_settings(addin: Path, tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    conf = tmp_path / "me" / ".xlbudget" / "xlbudget.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"PYTHONPATH","D:\\work"\r\n"INTERPRETER_WIN","old.exe"\r\n', encoding="utf-8")

    lines = install(addin, interpreter=r"C:\Python311\python.exe", platform="win32", env=env,
                    home=tmp_path)

    installed = tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / ADDIN
    assert installed.read_bytes() == addin.read_bytes()
    assert read_config(conf) == {
        "PYTHONPATH": "D:\\work",  # the user's own setting stays
        "INTERPRETER_WIN": r"C:\Python311\python.exe",
        "UDF MODULES": "xlbudget.excel.udfs",
    }
    assert conf.read_bytes().count(b"\r\n") == 3
    assert any(str(installed) in line for line in lines)

    assert uninstall(platform="win32", env=env, home=tmp_path) == [
        f"已删除 {installed}", f"已删除 {conf}"
    ]
    assert not installed.exists() and not conf.exists()
    again = uninstall(platform="win32", env=env, home=tmp_path)
    assert again == ["没有找到已安装的 xlbudget 加载项。"]


def test_macos_install_uses_startup_folder_sandbox_settings_and_applescript(
    addin: Path, tmp_path: Path
) -> None:
    install(addin, interpreter="/usr/local/bin/python3", platform="darwin", env={}, home=tmp_path)
    startup = tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel"
    assert (startup / ADDIN).read_bytes() == addin.read_bytes()
    conf = tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlbudget.conf"
    assert read_config(conf) == {
        "INTERPRETER_MAC": "/usr/local/bin/python3",
        "UDF MODULES": "xlbudget.excel.udfs",
    }
    script = (tmp_path / "Library/Application Scripts/com.microsoft.Excel"
              / f"xlwings-{XLWINGS_PIN}.applescript")
    assert script.is_file() and script.stat().st_size > 0


def test_linux_has_no_excel_and_names_the_built_file(addin: Path, tmp_path: Path) -> None:
    assert target("linux", {}, tmp_path) is None
    with pytest.raises(InstallError, match="没有 Excel") as caught:
        install(addin, platform="linux", env={}, home=tmp_path)
    assert str(addin.resolve()) in str(caught.value)
    assert not any(tmp_path.iterdir())


def test_cli_install_on_this_machine(addin: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["excel", "install", "--addin", str(addin)])
    if target(sys.platform, {}, Path.home()) is None:
        assert result.exit_code == 1
        assert "没有 Excel" in result.output and str(addin.resolve()) in result.output
    else:  # pragma: no cover - only on a machine with Excel
        assert result.exit_code == 0


def test_cli_install_refuses_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["excel", "install", "--addin", str(tmp_path / "no.xlam")])
    assert result.exit_code == 1
    assert "找不到加载项文件" in result.output
    assert "Traceback" not in result.output


def test_cli_build_check_and_help() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["excel", "build", "--check"]).exit_code == 0
    help_text = runner.invoke(main, ["excel", "--help"]).output
    assert "install" in help_text and "build" in help_text and "uninstall" in help_text


def test_default_addin_is_built_afresh_from_the_sources(
    addin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    macros = tmp_path / "macros"
    shutil.copytree(MACROS, macros)
    monkeypatch.setattr(install_module, "MACROS", macros)
    monkeypatch.setattr(install_module, "DIST", tmp_path / "dist")
    path = built_addin()
    assert path == tmp_path / "dist" / ADDIN
    assert path.read_bytes() == addin.read_bytes()

    monkeypatch.setattr(install_module, "MACROS", tmp_path / "no-macros")
    monkeypatch.setattr(install_module, "DIST", tmp_path / "no-dist")
    with pytest.raises(InstallError, match="没有已生成的加载项"):
        built_addin()
