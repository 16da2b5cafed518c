"""What Allegro would refuse in an offer that the catalog alone shows: checked by every load,
so `catalogsync validate` (and the pre-commit hook) stops it with `file:line`, before a plan.

Local files (images and safety manuals: there, inside the catalog, small enough), R18
(description images also in `images`), the description's size and HTML subset, and R11 (a
scheduled activation in the past). The planner checks the same again on the values it sends
(plan/offers.py): an image path becomes a URL there, which changes the description's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from catalogsync.catalog.description_html import html_problem
from catalogsync.catalog.gpsr import SafetyManuals
from catalogsync.catalog.limits import (
    DESCRIPTION_MAX_BYTES,
    SAFETY_FILE_MAX_BYTES,
    SAFETY_FILE_MEDIA_TYPES,
    description_bytes,
)
from catalogsync.catalog.local_files import is_local, local_file_problem
from catalogsync.catalog.records import DescriptionItem, ImageItem, Offer, TextItem
from catalogsync.safe_text import visible
from catalogsync.wording import shown

#: A problem at a key path inside one offer.
OfferProblem = tuple[tuple[str | int, ...], str]
_R18 = "[R18: catalogsync explain R18]"
_R11 = "[R11: catalogsync explain R11]"


def offer_problems(directory: Path, offer: Offer, now: datetime) -> Iterator[OfferProblem]:
    """Every problem of one validated offer that needs no API."""
    yield from _images(directory, offer)
    yield from _description(offer)
    yield from _safety_manuals(directory, offer)
    if offer.scheduled_for is not None and offer.scheduled_for <= now:
        yield ("scheduled_for",), (
            f"{offer.scheduled_for.isoformat()} is in the past, and Allegro does not schedule "
            f"an activation in the past; use a future time or leave it out {_R11}"
        )


def _images(directory: Path, offer: Offer) -> Iterator[OfferProblem]:
    named: list[tuple[tuple[str | int, ...], str]] = [
        (("images", i), image) for i, image in enumerate(offer.images or ())
    ]
    for s, section in enumerate(offer.description or ()):
        named += [
            (("description", s, i, "image"), item.image)
            for i, item in enumerate(section)
            if isinstance(item, ImageItem)
        ]
    for path, image in named:
        problem = local_file_problem(directory, image) if is_local(image) else None
        if problem is not None:
            yield path, f"image file {_quoted(image)} {problem}"


def _description(offer: Offer) -> Iterator[OfferProblem]:
    if offer.description is None:
        return
    listed = set(offer.images or ())
    for s, section in enumerate(offer.description):
        for i, item in enumerate(section):
            if isinstance(item, ImageItem) and item.image not in listed:
                yield ("description", s, i, "image"), (
                    f"image {_quoted(item.image)} is not in the offer's images; Allegro shows "
                    f"only images of the gallery in a description, so add it to images {_R18}"
                )
            elif isinstance(item, TextItem):
                problem = html_problem(item.text)
                if problem is not None:
                    yield ("description", s, i, "text"), f"{problem.hint} ({problem.message})"
    size = _size_over_limit(offer.description)
    if size is not None:
        yield ("description",), (
            f"is {size} bytes as Allegro counts them (its JSON, UTF-8); Allegro takes at most "
            f"{DESCRIPTION_MAX_BYTES}: shorten the text"
        )


def _size_over_limit(description: tuple[tuple[DescriptionItem, ...], ...]) -> int | None:
    """The description's size as Allegro counts it when over the limit, else None. Counted
    as JSON only when a quick bound allows it to be over: JSON writes a character in at most
    6 bytes, and an item's keys take less than 40."""
    values = [item.text if isinstance(item, TextItem) else item.image
              for section in description for item in section]
    if sum(6 * len(v) + 40 for v in values) + 20 * len(description) <= DESCRIPTION_MAX_BYTES:
        return None
    size = description_bytes(
        [
            [{"type": "TEXT", "content": item.text} if isinstance(item, TextItem)
             else {"type": "IMAGE", "url": item.image} for item in section]
            for section in description
        ]
    )
    return size if size > DESCRIPTION_MAX_BYTES else None


def _safety_manuals(directory: Path, offer: Offer) -> Iterator[OfferProblem]:
    if not isinstance(offer.safety_information, SafetyManuals):
        return
    for i, name in enumerate(offer.safety_information.files):
        problem = local_file_problem(
            directory, name, SAFETY_FILE_MEDIA_TYPES, SAFETY_FILE_MAX_BYTES
        )
        if problem is not None:
            yield ("safety_information", i), f"safety manual {_quoted(name)} {problem}"


def _quoted(name: str) -> str:
    return shown(visible(name))
