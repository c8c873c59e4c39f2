"""What a narrative left from its template: placeholders, unedited alternatives and
instruction lines. Data, so that a phrase seen in a published 说明 is added here, not in code.

Patterns run on the normalised text (full-width brackets and slashes are ASCII there).
"""

from __future__ import annotations

import re

#: Words the template offers in pairs; one of each pair must be kept.
_CHOICE = "增加|减少|增长|下降|上升|降低|大于|小于|等于|高于|低于|持平"

#: (kind, pattern). ``placeholder``: a blank to be filled (N-placeholder); ``alternative``: both
#: of the template's alternatives left in (N-residue); ``instruction``: a line of the template's
#: guidance to the author (N-residue).
PATTERNS: tuple[tuple[str, str], ...] = (
    ("placeholder", r"(?<![A-Za-z])(?:[Xx]{2,}|×{2,}|\*{2,}|某某)(?![A-Za-z])"),
    # 增加（减少）, 下降（增长）, 大于（小于、等于）
    ("alternative", rf"(?:{_CHOICE})\((?:或)?(?:{_CHOICE})[^)]{{0,8}}\)"),
    # 小于/等于, 增加/减少
    ("alternative", rf"(?:{_CHOICE})/(?:{_CHOICE})"),
    # 决算数小于预算数（或与预算数持平）
    ("alternative", r"\(或(?:与|等于|持平|小于|大于|高于|低于)[^()]{0,12}\)"),
    # 大小于: two alternatives run together
    ("alternative", r"大小于|小大于|大于小于|小于大于"),
    # an ellipsis where the reason or purpose was to be written
    ("instruction", r"(?:原因是|用于|包括|为)(?:…+|\.{3,})"),
    ("instruction", r"说明(?:项目|部门|单位)?绩效自评采用的组织实施步骤及方法"),
    ("instruction", r"\(注:请.{0,30}?\)"),
    ("instruction", r"请(?:单位|部门)?根据实际(?:情况)?(?:填写|注明|删减|修改)"),
    ("instruction", r"(?:此处|本处)(?:填写|删除)|如无此项(?:内容)?[,，]?(?:请|可)?删除"),
)
COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p)) for kind, p in PATTERNS)
