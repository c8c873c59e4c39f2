"""The VBA project writer, read back by readers we did not write: olefile (the compound file),
oletools (decompression, dir stream, module sources) and ms-ovba-crypto (PROJECT stream)."""

from __future__ import annotations

import io
import re
import struct
import uuid

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from xlbudget.excel.vba_cfb import write_cfb
from xlbudget.excel.vba_project import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    VbaModule,
    build_vba_project,
    compress,
    document_module,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools + pyparsing

PROJECT_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def _decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


# VBA-like text: few symbols, long repeats (the case ms-ovba-compression 1.0.1 corrupts).
_text = st.text(alphabet="ab \r\n'\"()=Dim", max_size=12000).map(lambda s: s.encode())


@settings(max_examples=60, deadline=None)
@given(st.one_of(_text, st.binary(max_size=3000)))
def test_compression_round_trips_through_oletools(data: bytes) -> None:
    assert _decompress(compress(data)) == data


def test_compression_of_long_repeats_and_many_chunks() -> None:
    line = b"    If TypeOf Application.Caller Is Range Then On Error GoTo failed\r\n"
    data = line * 400 + bytes(range(256)) * 20
    packed = compress(data)
    assert _decompress(packed) == data
    assert len(packed) < len(data) // 4


def _walk(ole: olefile.OleFileIO, tree: dict, prefix: list[str]) -> None:
    for name, value in tree.items():
        if isinstance(value, dict):
            assert ole.get_type("/".join([*prefix, name])) == olefile.STGTY_STORAGE
            _walk(ole, value, [*prefix, name])
        else:
            assert ole.openstream("/".join([*prefix, name])).read() == value


_sizes = st.sampled_from([0, 1, 63, 64, 65, 4095, 4096, 4097, 70000]) | st.integers(0, 9000)
_names = st.text(alphabet="ABCabc_0123", min_size=1, max_size=31)


def _distinct(d: dict[str, int]) -> bool:
    return len({k.upper() for k in d}) == len(d) and "VBA" not in {k.upper() for k in d}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_names, _sizes, max_size=12).filter(_distinct),
       st.dictionaries(_names, _sizes, max_size=5).filter(_distinct))
def test_cfb_streams_read_back_with_olefile(storage: dict[str, int], top: dict[str, int]) -> None:
    tree: dict = {name: bytes([len(name)]) * size for name, size in top.items()}
    tree["VBA"] = {name: bytes([size % 251]) * size for name, size in storage.items()}
    data = write_cfb(tree)
    assert len(data) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    _walk(ole, tree, [])
    assert sorted("/".join(p) for p in ole.listdir(streams=True, storages=False)) == sorted(
        [n for n in tree if n != "VBA"] + [f"VBA/{n}" for n in storage]
    )


def test_cfb_refuses_names_equal_but_for_case() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        write_cfb({"Module": b"1", "MODULE": b"2"})


def test_cfb_past_one_fat_sector() -> None:
    # More than 128 sectors needs a second FAT sector: ms-cfb 0.0.6 writes only the first.
    tree = {"big": bytes(range(256)) * 1000, "small": b"x" * 100}
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(tree)), raise_defects=olefile.DEFECT_INCORRECT)
    _walk(ole, tree, [])


def _modules() -> list[VbaModule]:
    return [
        document_module("ThisWorkbook", WORKBOOK_BASE),
        document_module("Sheet1", WORKSHEET_BASE),
        VbaModule(
            "Buttons",
            "module",
            'Attribute VB_Name = "Buttons"\nPublic Sub Go(Optional control As Object)\n'
            '    MsgBox "go"\nEnd Sub\n' + "' padding line to make several chunks\n" * 200,
        ),
        VbaModule(
            "Counter",
            "class",
            "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
            'Attribute VB_Name = "Counter"\nAttribute VB_PredeclaredId = False\n'
            "Public Count As Long\n",
        ),
    ]


def _extracted(data: bytes) -> dict[str, tuple[str, str]]:
    parser = VBA_Parser("vbaProject.bin", data=data)
    try:
        return {
            name: (stream, code)
            for _, stream, name, code in parser.extract_macros()
        }
    finally:
        parser.close()


def test_olevba_lists_exactly_the_modules_with_their_source() -> None:
    modules = _modules()
    data = build_vba_project(modules, project_id=PROJECT_ID)
    found = _extracted(data)
    expected_names = {"ThisWorkbook.cls", "Sheet1.cls", "Buttons.bas", "Counter.cls"}
    assert set(found) == expected_names
    for module in modules:
        suffix = ".bas" if module.kind == "module" else ".cls"
        stream, code = found[module.name + suffix]
        assert stream == f"VBA/{module.name}"
        assert code == module.stored_text()
    # The class keeps its code, not the export header.
    assert found["Counter.cls"][1].startswith('Attribute VB_Name = "Counter"')


def test_project_is_source_only_and_well_formed() -> None:
    data = build_vba_project(_modules(), project_id=PROJECT_ID)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    # _VBA_PROJECT: Reserved1 0x61CC, Version 0xFFFF (no performance cache), nothing after.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x03\x00"
    # Each module stream is the compressed source from offset 0 (no p-code).
    source = _decompress(ole.openstream("VBA/Buttons").read())
    assert source.startswith(b'Attribute VB_Name = "Buttons"\r\n')
    # dir stream (MS-OVBA 2.3.4.2): references as Excel writes them, no VBA/Excel library.
    directory = _decompress(ole.openstream("VBA/dir").read())
    refs, at = [], 0
    while at < len(directory):
        record, size = struct.unpack_from("<HI", directory, at)
        size = 6 if record == 0x0009 else size  # PROJECTVERSION's size field is reserved
        if record == 0x0016:
            refs.append(directory[at + 6 : at + 6 + size].decode("cp1252"))
        at += 6 + size
    assert refs == ["stdole", "Office"]
    assert struct.unpack_from("<HI", directory, len(directory) - 6) == (0x0010, 0)
    project = ole.openstream("PROJECT").read().decode("cp1252")
    lines = project.split("\r\n")
    assert lines[0] == "ID=\"{" + str(PROJECT_ID).upper() + "}\""
    assert "Document=ThisWorkbook/&H00000000" in lines
    assert "Module=Buttons" in lines and "Class=Counter" in lines
    assert 'Name="VBAProject"' in lines and "[Host Extender Info]" in lines


def test_project_protection_fields_decrypt_to_unprotected_visible() -> None:
    from ms_ovba_crypto import MsOvbaCrypto

    data = build_vba_project(_modules(), project_id=PROJECT_ID)
    project = olefile.OleFileIO(io.BytesIO(data)).openstream("PROJECT").read().decode("cp1252")
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    decrypt = MsOvbaCrypto.decrypt
    assert decrypt(bytes.fromhex(fields["CMG"])) == b"\x00\x00\x00\x00"  # no protection
    assert decrypt(bytes.fromhex(fields["DPB"])) == b"\x00"  # no password
    assert decrypt(bytes.fromhex(fields["GC"])) == b"\xff"  # visible


def test_same_modules_give_the_same_bytes() -> None:
    one = build_vba_project(_modules(), project_id=PROJECT_ID)
    two = build_vba_project(_modules(), project_id=PROJECT_ID)
    assert one == two
    assert build_vba_project(_modules(), project_id=uuid.uuid4()) != one


def test_non_ascii_source_is_refused_with_the_line() -> None:
    source = 'Attribute VB_Name = "Bad"\nSub A()\n  MsgBox "校验"\nEnd Sub\n'
    bad = VbaModule("Bad", "module", source)
    with pytest.raises(ValueError, match="模块 Bad 第 3 行"):
        build_vba_project([bad], project_id=PROJECT_ID)


def test_module_name_must_match_its_source() -> None:
    wrong = VbaModule("Right", "module", 'Attribute VB_Name = "Wrong"\n')
    with pytest.raises(ValueError, match="VB_Name"):
        build_vba_project([wrong], project_id=PROJECT_ID)
