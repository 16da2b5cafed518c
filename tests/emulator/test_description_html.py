"""Description HTML (API_NOTES §2): a paragraph's verdict is kept per process, so the same bad
paragraph must still be reported where it stands in each offer."""

from __future__ import annotations

import pytest

from catalogsync.emulator.core.errors import ApiError
from catalogsync.emulator.services.offers import fields


def text(content: str) -> dict[str, list[dict[str, str]]]:
    return {"items": [{"type": "TEXT", "content": content}]}


@pytest.mark.parametrize("position", [0, 2, 1])
def test_the_same_bad_paragraph_is_named_where_it_stands(position: int) -> None:
    sections = [text("<p>Kubek</p>") for _ in range(3)]
    sections[position] = text("<p><i>Kubek</i></p>")
    with pytest.raises(ApiError) as refused:
        fields.description({"sections": sections})
    (error,) = refused.value.errors
    assert error["path"] == f"description.sections[{position}].items[0].content"
    assert error["message"] == 'Invalid tag: "i", allowed tags: {b}'
    assert error["details"] == "Invalid value: <p><i>Kubek</i></p>"


def test_allowed_paragraphs_pass_again_and_again() -> None:
    doc = {"sections": [text("<h1>Kubek</h1><p>Biały, <b>330 ml</b></p>")] * 2}
    assert fields.description(doc) == fields.description(doc) == doc
