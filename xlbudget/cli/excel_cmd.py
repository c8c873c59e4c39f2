"""``xlbudget excel build|install|uninstall``: the Excel add-in."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xlbudget.cli import main


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
