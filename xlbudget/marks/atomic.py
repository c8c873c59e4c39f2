"""Every output file appears whole or not at all: it is written to a temporary file in the
target folder and renamed over the target (a rename within one folder is atomic).

Temporary files are named ``.<name>.xlbudget-tmp-<pid><suffix>``; one left by a killed run is
removed by the next write into that folder, once its process is gone. Failures become a
WriteError whose Chinese message names the folder and the cause (磁盘已满 / 没有写入权限 /
目录不存在).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

# Without a pid: the fixed name of versions before 0.2, always stale.
_TMP = re.compile(r"^\..+\.xlbudget-tmp(?:-(\d+))?(\.[\w.]*)?$")
#: Without a way to ask whether a process lives (Windows), a temp file this old is stale.
_STALE_SECONDS = 24 * 3600


class WriteError(Exception):
    """A write that was refused or failed its check; the message is Chinese and names the file."""


#: bytes of a file name on common file systems (ext4, NTFS counts 255 UTF-16 units)
_NAME_MAX = 255


def sibling(src: Path, head: str, tail: str, room: int = 0) -> Path:
    """``head + src.stem + tail`` beside ``src``, the stem shortened when the name would pass
    the file-name limit less ``room`` bytes (a file whose name is near it can still get a
    backup or a temp file)."""
    stem, limit = src.stem, _NAME_MAX - room
    if len(f"{head}{stem}{tail}".encode()) <= limit:
        return src.with_name(f"{head}{stem}{tail}")
    # Shortened names of two targets may meet: the full name's hash keeps them apart.
    mark = "~" + hashlib.sha1(src.name.encode()).hexdigest()[:8]
    while stem and len(f"{head}{stem}{mark}{tail}".encode()) > limit:
        stem = stem[:-1]
    return src.with_name(f"{head}{stem}{mark}{tail}")


def temp_path(dst: Path) -> Path:
    """This process's temporary file for ``dst``, in ``dst``'s folder."""
    # room for the ".parts" file keep.put_back writes beside it
    return sibling(dst, ".", f".xlbudget-tmp-{os.getpid()}{dst.suffix}", room=8)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return True  # decided by age instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Delete temporary files left in ``folder`` by runs that were killed; the removed paths."""
    import time

    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TMP.match(entry.name)
        if m is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            stale = m.group(1) is None or not _alive(int(m.group(1)))
            if sys.platform == "win32" and m.group(1) is not None:
                stale = time.time() - entry.stat().st_mtime > _STALE_SECONDS
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def as_os_error(exc: Exception) -> OSError | None:
    """lxml (under openpyxl) reports a failed write as ``SerialisationError: IO_ENOSPC``;
    the OSError it stands for, or None for any other exception."""
    m = re.fullmatch(r"IO_(E[A-Z]+)", str(exc).strip())
    code = getattr(errno, m.group(1), None) if m else None
    return OSError(code, os.strerror(code)) if code is not None else None


def write_failure(path: Path, exc: OSError) -> str:
    """A Chinese message for a failed write of ``path``, naming its folder and the cause."""
    folder = path.parent if str(path.parent) else Path(".")
    return f"无法写出 {path.name}（目录 {folder}）：{failure_cause(exc, folder)}"


def failure_cause(exc: OSError, folder: Path | None = None) -> str:
    """Why a write failed, in Chinese (``folder``: where it was written, when known)."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "磁盘已满（或超出配额）"
    if code in (errno.EACCES, errno.EPERM):
        return "没有写入权限"
    if code == errno.EROFS:
        return "目录所在的磁盘是只读的"
    if code in (errno.ENOENT, errno.ENOTDIR, errno.EEXIST) \
            or (folder is not None and not folder.is_dir()):
        return _missing_folder(folder) if folder is not None else "目录不存在"
    if code == errno.EISDIR:
        return "同名的文件夹已存在"
    if code == errno.ENAMETOOLONG:
        return "文件名太长"
    if code == errno.EPIPE:
        return "输出已关闭，管道另一端的程序已退出"
    return exc.strerror or type(exc).__name__


def _missing_folder(folder: Path) -> str:
    for part in (folder, *folder.parents):
        try:
            if part.exists() and not part.is_dir():
                return f"路径中的 {part} 是文件，不是文件夹"
        except OSError:
            break
    return "目录不存在"


def check_folder(dst: Path) -> None:
    """WriteError unless ``dst``'s folder exists and is a folder (checked before any work)."""
    folder = dst.parent if str(dst.parent) else Path(".")
    try:
        is_dir = dst.is_dir()
    except OSError as exc:  # a name too long, a loop of links
        raise WriteError(write_failure(dst, exc)) from exc
    if is_dir:
        raise WriteError(f"无法写出 {dst.name}（目录 {folder}）：同名的文件夹已存在")
    if not folder.is_dir():
        raise WriteError(f"无法写出 {dst.name}（目录 {folder}）：{_missing_folder(folder)}")


def make_folder(dst: Path) -> None:
    """Create ``dst``'s folder if missing (batch outputs); WriteError naming the cause."""
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(write_failure(dst, exc)) from exc
    check_folder(dst)


@contextlib.contextmanager
def atomic_target(dst: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dst``; when the block ends normally it replaces ``dst``,
    otherwise it is deleted. OSError anywhere becomes WriteError (see ``write_failure``)."""
    check_folder(dst)
    remove_stale(dst.parent)
    tmp = temp_path(dst)
    try:
        yield tmp
        os.replace(tmp, dst)
    except OSError as exc:
        raise WriteError(write_failure(dst, exc)) from exc
    except Exception as exc:
        os_error = as_os_error(exc)
        if os_error is None:
            raise
        raise WriteError(write_failure(dst, os_error)) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
