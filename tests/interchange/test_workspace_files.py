"""Uploads checked before they are kept; the export's shape and its pseudonyms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.domain.errors import TooLarge, ValidationFailed
from parley.interchange.workspace_files import check_upload, safe_filename


def test_a_checked_upload_keeps_a_safe_name_with_its_types_extension() -> None:
    upload = check_upload("../../etc/pass wd", "application/pdf; x=1", b"%PDF-1.7 ...", 100)
    assert (upload.filename, upload.content_type) == ("pass wd.pdf", "application/pdf")


@pytest.mark.parametrize(("name", "ctype", "data", "message"), [
    ("a.pdf", "application/pdf", b"", "is empty"),
    ("a.pdf", "application/pdf", b"<html>", "content is not application/pdf"),
    ("a.exe", "application/x-msdownload", b"MZ", "is not accepted"),
    ("a.txt", "text/plain", b"\xff\xfe", "must be UTF-8"),
])
def test_bad_uploads_name_the_file_field(name: str, ctype: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_upload(name, ctype, data, 100)
    assert caught.value.problems[0].field == "file"
    assert message in str(caught.value)


def test_an_upload_over_the_limit_is_too_large() -> None:
    with pytest.raises(TooLarge):
        check_upload("a.txt", "text/plain", b"x" * 11, 10)


@given(st.text(max_size=300))
def test_a_safe_filename_is_one_harmless_path_component(name: str) -> None:
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert len(safe) <= 120
