"""The ``xlbudget`` command. Each sub-command lives in its own module and imports its heavy
dependencies inside the command function, so ``xlbudget --help`` starts fast."""

from __future__ import annotations

import click

from xlbudget.cli import zh

zh.install()  # before the decorators below: some of click's texts are read when applied


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlbudget")
def main() -> None:
    """xlbudget：部门决算公开表校验工具（读取、重算、定位错误单元格、标注与修正）。"""


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
