# ruff: noqa: E501  (the OOXML boilerplate reads best unbroken)
"""Hand-built hostile workbooks, small on disk and huge when read (for the upload tests
and ``scripts/bench_uploads.py``)."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(sheet_xml: str) -> bytes:
    """A minimal valid XLSX whose only sheet is ``sheet_xml`` (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def many_rows(rows: int = 300_000) -> bytes:
    """A header and ``rows`` identical rows without references or a claimed range: about
    8 MB of XML that deflates to ~40 KB."""
    body = "<row><c><v>1</v></c></row>" * rows
    header = '<row><c t="inlineStr"><is><t>name</t></is></c></row>'
    return workbook(f"{_SHEET_HEAD}<sheetData>{header}{body}</sheetData></worksheet>")


def claimed_range(ref: str = "A1:XFD2000") -> bytes:
    """One cell, but a ``<dimension ref>`` claiming ``ref`` (~1.5 KB)."""
    return workbook(
        f'{_SHEET_HEAD}<dimension ref="{ref}"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        "</sheetData></worksheet>"
    )


def far_column() -> bytes:
    """A value in column XFD of a row, with no dimension claimed."""
    return workbook(
        f"{_SHEET_HEAD}<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )


def bomb(megabytes: int = 64) -> bytes:
    """A sheet member that unpacks to ``megabytes`` MiB of padding."""
    padding = " " * (megabytes * 1024 * 1024)
    return workbook(f"{_SHEET_HEAD}<sheetData>{padding}</sheetData></worksheet>")


def inline_rows(texts: list[str], *, dimension: str | None = None) -> bytes:
    """One column of inline-string cells, optionally claiming ``dimension``."""
    claim = f'<dimension ref="{dimension}"/>' if dimension else ""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{text}</t></is></c></row>'
        for n, text in enumerate(texts, start=1)
    )
    return workbook(f"{_SHEET_HEAD}{claim}<sheetData>{rows}</sheetData></worksheet>")
