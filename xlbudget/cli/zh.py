"""Click's own messages (Usage, Error, Missing argument …) in Chinese.

Click marks its texts for gettext but ships no translations, and gettext's global domain is the
host program's, so the click modules' ``_``/``ngettext`` are pointed at this table instead.
Texts not listed stay in English rather than fail.
"""

from __future__ import annotations

import sys

ZH: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用“{command} {option}”查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Did you mean {possibility}?": "是否要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否要用其中之一：{possibilities}？）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是有效的是/否值，可用：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 无法执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必需",
    "Aborted!": "已中止！",
    "unknown error": "未知错误",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接执行。",
}

#: Argument names of xlbudget's commands, as the usage lines show them.
ARGUMENTS = {"paths": "路径", "file": "文件", "code": "规则代码", "rule": "规则",
             "cell": "单元格", "text": "说明", "out": "输出文件"}

#: The click modules that translate their texts through module-level ``_``/``ngettext``.
_MODULES = ("click.core", "click.exceptions", "click.formatting", "click.decorators",
            "click.parser", "click.types", "click.termui", "click.utils")


def gettext(message: str) -> str:
    return ZH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Point the click modules at the Chinese table, and headings at Chinese punctuation
    (idempotent)."""
    import click

    class Formatter(click.HelpFormatter):
        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{heading}：\n")

    click.Context.formatter_class = Formatter
    for name in _MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def translate_metavars(group: object) -> None:
    """``[OPTIONS]`` and ``COMMAND [ARGS]...`` of the usage lines, for every command below
    ``group`` (click sets them per command, outside gettext)."""
    import click

    def walk(cmd: click.Command) -> None:
        if cmd.options_metavar == "[OPTIONS]":
            cmd.options_metavar = "[选项]"
        for param in cmd.params:
            name = ARGUMENTS.get(param.name or "")
            if isinstance(param, click.Argument) and param.metavar is None and name:
                # as click writes them: [optional], repeated...
                param.metavar = ((name if param.required else f"[{name}]")
                                 + ("..." if param.nargs != 1 else ""))
        if isinstance(cmd, click.Group):
            if cmd.subcommand_metavar == "COMMAND [ARGS]...":
                cmd.subcommand_metavar = "命令 [参数]..."
            for sub in cmd.commands.values():
                walk(sub)

    walk(group)  # type: ignore[arg-type]
