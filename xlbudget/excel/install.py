"""Install the built add-in where Excel loads it at start, and write xlwings' settings for it.

Windows: the add-in goes to ``%APPDATA%\\Microsoft\\Excel\\XLSTART`` and the settings to
``%USERPROFILE%\\.xlbudget\\xlbudget.conf``. macOS: the add-in goes to Excel's startup folder in
the Office group container, the settings to Excel's sandbox (where xlwings' VBA looks for them)
and xlwings' AppleScript to ``~/Library/Application Scripts/com.microsoft.Excel``. Elsewhere
there is no Excel: the command says so and where the built file is.

The settings file holds ``"KEY","value"`` lines, read by VBA's ``Input #``; keys the user set
there are kept.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from xlbudget.excel.build import DIST
from xlbudget.excel.macros import ADDIN, MACROS, PROJECT_NAME, UDF_MODULE, XLWINGS_PIN

_MAC_CONTAINER = Path("Library/Containers/com.microsoft.Excel/Data")
_MAC_STARTUP = Path("Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel")
_MAC_SCRIPTS = Path("Library/Application Scripts/com.microsoft.Excel")


class InstallError(Exception):
    """Installation cannot go on; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Target:
    """Where one platform's Excel finds the add-in and xlwings' settings."""

    addin_dir: Path
    config_file: Path
    interpreter_key: str
    newline: str
    scripts_dir: Path | None = None  # macOS: where RunPython's AppleScript must be


def target(platform: str, env: Mapping[str, str], home: Path) -> Target | None:
    """The install locations for ``platform`` (``sys.platform`` values); None without Excel."""
    if platform == "win32":
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        profile = Path(env.get("USERPROFILE") or home)
        return Target(
            addin_dir=appdata / "Microsoft" / "Excel" / "XLSTART",
            config_file=profile / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf",
            interpreter_key="INTERPRETER_WIN",
            newline="\r\n",
        )
    if platform == "darwin":
        return Target(
            addin_dir=home / _MAC_STARTUP,
            config_file=home / _MAC_CONTAINER / f"{PROJECT_NAME}.conf",
            interpreter_key="INTERPRETER_MAC",
            newline="\n",
            scripts_dir=home / _MAC_SCRIPTS,
        )
    return None


def built_addin(path: Path | None = None) -> Path:
    """The add-in file to install: ``path``, or ``dist/xlbudget.xlam`` built afresh from
    ``macros/`` when the sources are there (so a stale build is never installed)."""
    if path is not None:
        if not path.is_file():
            raise InstallError(f"找不到加载项文件 {path}")
        return path
    default = DIST / ADDIN
    if MACROS.is_dir():
        from xlbudget.excel.build import build
        from xlbudget.excel.macros import BuildError

        try:
            build(DIST, MACROS)
        except (BuildError, ValueError, RuntimeError, OSError) as exc:
            raise InstallError(f"生成加载项失败：{exc}") from exc
    elif not default.is_file():
        raise InstallError(
            f"没有已生成的加载项 {default}，也没有 macros/ 源文件可以生成它；"
            "请在 xlbudget 源码目录中运行 python -m xlbudget.excel.build，"
            "或用 --addin 指定加载项文件"
        )
    return default


def read_config(path: Path) -> dict[str, str]:
    """The ``"KEY","value"`` pairs of an xlwings settings file (empty when there is none)."""
    if not path.is_file():
        return {}
    rows = csv.reader(io.StringIO(path.read_text(encoding=_encoding())))
    return {row[0]: row[1] for row in rows if len(row) >= 2}


def _encoding() -> str:
    # VBA reads the file in the system's ANSI code page (e.g. GBK on Chinese Windows).
    return "mbcs" if sys.platform == "win32" else "utf-8"


def _write_config(path: Path, values: Mapping[str, str], newline: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=newline)
    for key, value in values.items():
        if '"' in value:
            raise InstallError(f"设置 {key} 的值不能含有双引号：{value}")
        writer.writerow([key, value])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=_encoding(), newline="") as f:
        f.write(out.getvalue())


def install(
    addin: Path,
    *,
    interpreter: str = sys.executable,
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    home: Path | None = None,
) -> list[str]:
    """Copy ``addin`` and write the settings; return what was done, in Chinese."""
    where = target(platform, env, home or Path.home())
    if where is None:
        raise InstallError(
            f"这台机器（{platform}）上没有 Excel，无法安装加载项。"
            f"已生成的加载项在：{addin.resolve()}，请把它复制到装有 Excel 的 Windows 或 macOS "
            "电脑上，在那里运行 xlbudget excel install。"
        )
    done = []
    try:
        where.addin_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(addin, where.addin_dir / ADDIN)
        done.append(f"已复制加载项到 {where.addin_dir / ADDIN}")
        config = read_config(where.config_file)
        config[where.interpreter_key] = interpreter
        config["UDF MODULES"] = UDF_MODULE
        _write_config(where.config_file, config, where.newline)
        done.append(
            f"已写入 xlwings 设置 {where.config_file}（{where.interpreter_key} = {interpreter}；"
            f"UDF MODULES = {UDF_MODULE}）"
        )
        if where.scripts_dir is not None:
            import xlwings

            script = Path(xlwings.__file__).parent / f"xlwings-{XLWINGS_PIN}.applescript"
            where.scripts_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(script, where.scripts_dir / script.name)
            done.append(f"已复制 RunPython 所需的 {script.name} 到 {where.scripts_dir}")
    except PermissionError as exc:
        raise InstallError(f"无法写入 {exc.filename}：请先关闭 Excel 再安装") from exc
    except OSError as exc:
        raise InstallError(f"安装失败：{exc}") from exc
    done.append("重新启动 Excel 后，功能区会出现“决算校验”选项卡。")
    return done


def uninstall(
    *,
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    home: Path | None = None,
) -> list[str]:
    """Remove the installed add-in and its settings file; return what was done."""
    where = target(platform, env, home or Path.home())
    if where is None:
        raise InstallError(f"这台机器（{platform}）上没有 Excel，没有可卸载的加载项。")
    done = []
    try:
        for path in (where.addin_dir / ADDIN, where.config_file):
            if path.exists():
                path.unlink()
                done.append(f"已删除 {path}")
    except PermissionError as exc:
        raise InstallError(f"无法删除 {exc.filename}：请先关闭 Excel 再卸载") from exc
    return done or ["没有找到已安装的 xlbudget 加载项。"]
