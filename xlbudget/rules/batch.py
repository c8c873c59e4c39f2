"""The rule the folder check adds (B-…); the batch emits it, this is its page."""

from __future__ import annotations

from xlbudget.rules.registry import Rule, RuleDoc

RULES = (
    # Added by the batch when a marked copy could not be written; the check itself held.
    Rule("B-mark", "批量标注副本未写出", "info", "batch", RuleDoc(
        "批量校验使用 --mark-dir 时，某个文件的标注副本没有写出"
        "（如 .xls 文件，或写出后校验未通过）。",
        "校验结果仍然有效，只是没有可供修改的标注副本。",
        "单位A.xls：.xls 文件不能写入标注副本，请先另存为 .xlsx。",
        "把文件另存为 .xlsx 后，单独运行 xlbudget mark。")),
)
