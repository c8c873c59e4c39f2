"""The ``xlbudget`` command. Each sub-command lives in its own module and imports its heavy
dependencies inside the command function, so ``xlbudget --help`` starts fast."""

from __future__ import annotations

import os

import click

from xlbudget.cli import zh
from xlbudget.cli.errors import DEBUG_ENV, EXIT_CODES_HELP, Group

zh.install()  # before the decorators below: some of click's texts are read when applied


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=EXIT_CODES_HELP)
@click.version_option(package_name="xlbudget")
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 调用栈（供开发者排查）。")
def main(debug: bool) -> None:
    """xlbudget：部门决算公开表校验工具（读取、重算、定位错误单元格、标注与修正）。"""
    if debug:
        os.environ[DEBUG_ENV] = "1"  # inherited by worker processes


def _register() -> None:
    # Registration order is the order of ``--help``.
    from xlbudget.cli import (
        check_cmd,  # noqa: F401
        excel_cmd,  # noqa: F401
        explain_cmd,  # noqa: F401
        mark_cmd,  # noqa: F401
        sample_cmd,  # noqa: F401
    )


_register()
zh.translate_metavars(main)
