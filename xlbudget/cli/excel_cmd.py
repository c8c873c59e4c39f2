"""``xlbudget excel build|install|uninstall``: the Excel add-in."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xlbudget.cli import main
from xlbudget.cli.errors import fail

#: Import name -> the extra of xlbudget that installs it (pyproject's optional-dependencies).
_EXTRAS = {"xlwings": "excel", "ms_ovba": "build", "ms_ovba_crypto": "build",
           "ms_ovba_compression": "build", "oletools": "build"}
_BUILD = ("xlwings", "ms_ovba", "ms_ovba_crypto", "ms_ovba_compression", "oletools")


def _require(modules: tuple[str, ...]) -> None:
    """Exit 2 naming the extra to install when an optional dependency is missing."""
    import importlib

    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        extras = ",".join(sorted({_EXTRAS[m] for m in missing}))
        fail(f"此命令需要可选依赖（缺少 {'、'.join(missing)}），请先安装："
             f"pip install \"xlbudget[{extras}]\"")


@main.group("excel")
def excel() -> None:
    """Excel 加载项（功能区“决算校验”与 XLB_ 工作表函数）：生成、安装、卸载。"""


@excel.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="输出目录（默认为源码目录下的 dist/）。")
@click.option("--check", "check_only", is_flag=True,
              help="只检查 macros/ 中由 xlwings 生成的源文件是否最新，不写任何文件。")
def build_command(out: Path | None, check_only: bool) -> None:
    """由 macros/ 中的源文件生成 xlbudget.xlam 与示例 xlbudget-demo.xlsm。"""
    _require(_BUILD)
    from xlbudget.excel import build

    args = ["--check"] if check_only else ["--out", str(out or build.DIST)]
    sys.exit(build.main(args))


@excel.command("install")
@click.option("--addin", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="要安装的加载项文件（默认 dist/xlbudget.xlam，缺少时先生成）。")
@click.option("--interpreter", default=None,
              help="Excel 调用的 Python 解释器（默认为运行本命令的解释器）。")
def install_command(addin: Path | None, interpreter: str | None) -> None:
    """把加载项复制到 Excel 启动时加载的文件夹，并写入 xlwings 设置（Windows、macOS）。"""
    from xlbudget.excel.install import MACROS

    # Without --addin the add-in is built afresh from macros/ first.
    _require(_BUILD if addin is None and MACROS.is_dir() else ("xlwings",))
    from xlbudget.excel.install import InstallError, built_addin, install

    try:
        path = built_addin(addin)
        lines = install(path, interpreter=interpreter or sys.executable)
    except InstallError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for line in lines:
        click.echo(line)


@excel.command("uninstall")
def uninstall_command() -> None:
    """删除已安装的加载项及其 xlwings 设置文件。"""
    from xlbudget.excel.install import InstallError, uninstall

    try:
        lines = uninstall()
    except InstallError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for line in lines:
        click.echo(line)
