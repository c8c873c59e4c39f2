"""A compound file (MS-CFB, version 3) writer for small files such as ``vbaProject.bin``.

Hand-written because the available writer, ms-cfb 0.0.6, stores the FAT in a single sector
(files over 64 KiB come out corrupt), puts a stream of exactly 4096 bytes in the mini stream
while sizing the root as if it were not, and writes temporary files into the current
directory. Readers (olefile, LibreOffice) check what this writes in the tests.

The layout is fixed and every timestamp and CLSID is zero, so the same streams always give the
same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512  # version 3 sector size (MS-CFB 2.2, Sector Shift 9)
MINI_SECTOR = 64  # MS-CFB 2.2, Mini Sector Shift 6
MINI_CUTOFF = 4096  # streams smaller than this live in the mini stream (MS-CFB 2.2)
DIFSECT, FATSECT, ENDOFCHAIN, FREESECT = 0xFFFFFFFC, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF
HEADER_DIFAT = 109  # FAT sector numbers the header can hold (MS-CFB 2.2)

Tree = dict[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root (MS-CFB 2.6.1 Object Type)
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    black: bool = True
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names first, then by upper-cased UTF-16 code points.
    return len(name.encode("utf-16-le")) // 2, name.upper()


def _entries(name: str, kind: int, tree: Tree) -> _Entry:
    entry = _Entry(name, kind)
    for child_name, value in tree.items():
        if len(child_name) > 31 or any(c in child_name for c in "/\\:!"):
            raise ValueError(f"invalid compound-file entry name: {child_name!r}")
        if isinstance(value, dict):
            entry.children.append(_entries(child_name, 1, value))
        else:
            entry.children.append(_Entry(child_name, 2, bytes(value)))
    entry.children.sort(key=lambda e: _sort_key(e.name))
    keys = [_sort_key(e.name) for e in entry.children]
    if len(set(keys)) != len(keys):
        # Entry names compare without case (MS-CFB 2.6.4): "A" and "a" are one entry.
        raise ValueError(f"duplicate compound-file entry names in {name!r}")
    return entry


def _flatten(root: _Entry) -> list[_Entry]:
    out: list[_Entry] = []
    pending = [root]
    while pending:
        entry = pending.pop(0)
        entry.index = len(out)
        out.append(entry)
        pending.extend(entry.children)
    return out


def _link_tree(storage: _Entry) -> None:
    """Arrange a storage's children as a red-black tree (MS-CFB 2.6.4).

    A balanced tree built from the sorted list, with only the deepest level red when that
    level is incomplete, has equal black height on every path, so it is a valid red-black tree.
    """
    kids = storage.children

    def build(lo: int, hi: int, depth: int, depths: list[int]) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        depths[mid] = depth
        kids[mid].left = build(lo, mid, depth + 1, depths)
        kids[mid].right = build(mid + 1, hi, depth + 1, depths)
        return kids[mid].index

    if kids:
        depths = [0] * len(kids)
        storage.child = build(0, len(kids), 0, depths)
        deepest = max(depths)
        full = len(kids) == 2 ** (deepest + 1) - 1
        for kid, depth in zip(kids, depths, strict=True):
            kid.black = full or depth < deepest
    for kid in kids:
        _link_tree(kid)


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def write_cfb(tree: Tree) -> bytes:
    """Return a version-3 compound file holding ``tree`` (name -> bytes for a stream, or
    name -> dict for a storage) under the root entry."""
    root = _entries("Root Entry", 5, tree)
    entries = _flatten(root)
    _link_tree(root)
    streams = [e for e in entries if e.kind == 2]
    small = [e for e in streams if 0 < len(e.data) < MINI_CUTOFF]
    large = [e for e in streams if len(e.data) >= MINI_CUTOFF]

    def sectors(n: int, size: int = SECTOR) -> int:
        return -(-n // size)

    mini_sectors = sum(sectors(len(e.data), MINI_SECTOR) for e in small)
    n_minifat = sectors(mini_sectors * 4)
    n_ministream = sectors(mini_sectors * MINI_SECTOR)
    n_dir = sectors(len(entries) * 128)
    n_large = sum(sectors(len(e.data)) for e in large)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_dir + n_minifat + n_ministream + n_large:
        n_fat += 1
    if n_fat > HEADER_DIFAT:
        # Files this big (> 6.8 MiB) need DIFAT sectors, which a VBA project never does.
        raise ValueError("compound file too large for a header-only DIFAT")

    total = n_fat + n_dir + n_minifat + n_ministream + n_large
    fat = [FREESECT] * (n_fat * (SECTOR // 4))
    for i in range(n_fat):
        fat[i] = FATSECT
    dir_start = n_fat
    _chain(fat, dir_start, n_dir)
    minifat_start = dir_start + n_dir
    _chain(fat, minifat_start, n_minifat)
    ministream_start = minifat_start + n_minifat
    _chain(fat, ministream_start, n_ministream)
    body = bytearray(total * SECTOR)

    minifat = [FREESECT] * (n_minifat * (SECTOR // 4))
    ministream = bytearray(n_ministream * SECTOR)
    at = 0
    for e in small:
        count = sectors(len(e.data), MINI_SECTOR)
        _chain(minifat, at, count)
        e.start, e.size = at, len(e.data)
        ministream[at * MINI_SECTOR : at * MINI_SECTOR + len(e.data)] = e.data
        at += count
    root.start = ministream_start if n_ministream else ENDOFCHAIN
    root.size = mini_sectors * MINI_SECTOR

    at = ministream_start + n_ministream
    for e in large:
        count = sectors(len(e.data))
        _chain(fat, at, count)
        e.start, e.size = at, len(e.data)
        body[at * SECTOR : at * SECTOR + len(e.data)] = e.data
        at += count

    body[: n_fat * SECTOR] = struct.pack(f"<{len(fat)}I", *fat)
    directory = b"".join(_dir_entry(e) for e in entries)
    directory += _free_dir_entry() * (n_dir * 4 - len(entries))
    body[dir_start * SECTOR : (dir_start + n_dir) * SECTOR] = directory
    if n_minifat:
        packed = struct.pack(f"<{len(minifat)}I", *minifat)
        body[minifat_start * SECTOR : (minifat_start + n_minifat) * SECTOR] = packed
    body[ministream_start * SECTOR : (ministream_start + n_ministream) * SECTOR] = ministream

    difat = list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # signature (MS-CFB 2.2)
        bytes(16),  # header CLSID
        0x003E,  # minor version
        0x0003,  # major version
        0xFFFE,  # byte order
        9,  # sector shift
        6,  # mini sector shift
        bytes(6),
        0,  # directory sectors: must be 0 for version 3
        n_fat,
        dir_start,
        0,  # transaction signature
        MINI_CUTOFF,
        minifat_start if n_minifat else ENDOFCHAIN,
        n_minifat,
        ENDOFCHAIN,  # first DIFAT sector
        0,  # DIFAT sectors
    ) + struct.pack(f"<{HEADER_DIFAT}I", *difat)
    return header + bytes(body)


def _dir_entry(e: _Entry) -> bytes:
    # MS-CFB 2.6.1 Compound File Directory Entry; all times and CLSIDs zero.
    name = e.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        e.kind,
        1 if e.black else 0,
        e.left,
        e.right,
        e.child,
        bytes(16),
        0,
        0,
        0,
        e.start if e.kind != 1 else 0,
        e.size,
    )


def _free_dir_entry() -> bytes:
    return struct.pack(
        "<64sHBBIII16sIQQIQ", bytes(64), 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16),
        0, 0, 0, 0, 0,
    )
