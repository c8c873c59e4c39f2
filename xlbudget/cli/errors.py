"""Exit codes and error handling shared by every command.

Every command exits 0 (clean), 1 (error findings), 2 (usage error, unreadable input or
unwritable output) or 3 (internal error). Without ``--debug`` no traceback is shown: an
unexpected exception becomes one Chinese line asking for a report, and exit code 3.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import click

OK, FINDINGS, UNUSABLE, INTERNAL = 0, 1, 2, 3
#: After Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
EXIT_CODES_HELP = ("退出码：0 没有错误级问题；1 有错误级问题；2 参数有误、文件无法读取或无法写出；"
                   "3 内部错误（请反馈）；130 按 Ctrl-C 中断。")
DEBUG_ENV = "XLBUDGET_DEBUG"


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def fail(message: str, code: int = UNUSABLE) -> NoReturn:
    """Print ``错误：message`` on stderr and exit (2 by default)."""
    click.echo(f"错误：{message}", err=True)
    raise SystemExit(code)


def internal(where: str, exc: BaseException) -> NoReturn:
    """Exit 3 for a bug: one line naming what was being done and the exception, no traceback
    (``--debug`` re-raises instead)."""
    if debug_enabled():
        raise exc
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    fail(f"{where}时发生内部错误（{type(exc).__name__}{': ' + detail if detail else ''}），"
         "输入文件未改动。请将命令和文件反馈给开发者；加 --debug 可显示详细信息", INTERNAL)


def _quiet_unraisable(unraisable: Any) -> None:
    """A writer that could not finish (disk full: openpyxl's zip file and XML streams) complains
    again as it is collected or at exit; the failure was already reported once, in Chinese."""
    if debug_enabled():
        sys.__unraisablehook__(unraisable)


class Group(click.Group):
    """The ``xlbudget`` group: maps every failure onto the exit codes above."""

    def invoke(self, ctx: click.Context) -> Any:
        sys.unraisablehook = _quiet_unraisable
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except click.ClickException as exc:
            if exc.exit_code == 1:  # click's file errors: unusable input, not findings
                exc.exit_code = UNUSABLE
            raise
        except KeyboardInterrupt:
            click.echo("已中断", err=True)
            raise SystemExit(INTERRUPTED) from None
        except MemoryError:
            fail("内存不足，无法完成（可先用 --max-size 等限制跳过过大的文件）", INTERNAL)
        except Exception as exc:
            name = ctx.invoked_subcommand or "运行"
            internal(f"执行 {name} ", exc)


def rule_patterns(ctx: click.Context, param: click.Parameter, values: Iterable[str]
                  ) -> tuple[str, ...]:
    """Click callback for ``--select``/``--ignore``: normalised patterns; an unknown code is a
    usage error (exit 2) listing the close matches."""
    from xlbudget.rules.selection import SelectionError, parse_selection

    try:
        return parse_selection(values)
    except SelectionError as exc:
        raise click.UsageError(f"{param.opts[0]}：{exc}", ctx=ctx) from None


def _set_env(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            os.environ[name] = f"{value:g}"  # read by every reader, workers included
    return callback


def limit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--max-size/--max-ratio/--max-cells`` (work limits checked before a file is parsed);
    they set the environment variables of ``sources.limits``, so the command's signature
    does not change."""
    from xlbudget.sources.limits import ENV_CELLS, ENV_RATIO, ENV_SIZE, Limits

    d = Limits()
    positive = click.FloatRange(min=0, min_open=True)
    for flag, env, default, text in (
        ("--max-cells", ENV_CELLS, f"{d.max_cells}", "一张工作表从 A1 到最后一个单元格的格数上限"),
        ("--max-ratio", ENV_RATIO, f"{d.max_ratio:g}", "xlsx 部件压缩比上限（防“压缩炸弹”）"),
        ("--max-size", ENV_SIZE, f"{d.max_size // (1024 * 1024)}", "文件解压后大小上限（MB）"),
    ):
        fn = click.option(flag, type=positive, default=None, expose_value=False,
                          callback=_set_env(env), metavar="N",
                          help=f"{text}，默认 {default}；也可用环境变量 {env}。")(fn)
    return fn
