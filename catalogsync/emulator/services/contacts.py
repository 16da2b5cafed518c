"""Offer contacts: `/sale/offer-contacts` and `/sale/offer-contacts/{id}` ([SL] tag "Contacts").

As documented ([SL] ContactRequest): a name of at most 250 characters, at most one e-mail
address (128 characters, the part before `@` at most 64) and at most two phone numbers (250
characters, "a valid phone number"); the list is not paged; an offer names a contact by id or
name (`ContactNotFoundException`, `ContactNotUniqueException` [SL]).

Guesses: the name is required; a phone number is digits with spaces, dashes or brackets and
an optional leading `+`; an address has one `@` and a dot after it.
"""

from __future__ import annotations

import re
from typing import Any

from catalogsync.catalog import limits
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import Doc, invalid
from catalogsync.emulator.services.seller_entries import EntryKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}$")


def _listed(body: Doc, key: str, most: int) -> list[Doc]:
    found = body.get(key) or []
    if not isinstance(found, list) or len(found) > most:
        raise invalid(key, f"{key} may list at most {most}.")
    return [checks.json_object(item, f"{key}[{i}]") for i, item in enumerate(found)]


def check_contact(body: Any) -> Doc:
    body = checks.json_object(body, "")
    name = checks.text(body.get("name"), "name")
    if len(name) > limits.CONTACT_NAME_MAX_CHARS:
        raise invalid("name", f"name may have at most {limits.CONTACT_NAME_MAX_CHARS} "
                              "characters.")
    emails = []
    for i, email in enumerate(_listed(body, "emails", limits.CONTACT_MAX_EMAILS)):
        address = checks.text(email.get("address"), f"emails[{i}].address")
        if (len(address) > limits.EMAIL_MAX_CHARS or not _EMAIL.match(address)
                or len(address.split("@")[0]) > limits.EMAIL_USER_MAX_CHARS):
            raise invalid(f"emails[{i}].address", "Invalid e-mail address.")
        emails.append({"address": address})
    phones = []
    for i, phone in enumerate(_listed(body, "phones", limits.CONTACT_MAX_PHONES)):
        number = checks.text(phone.get("number"), f"phones[{i}].number")
        if len(number) > limits.PHONE_MAX_CHARS or not _PHONE.match(number):
            raise invalid(f"phones[{i}].number", "Invalid phone number.")
        phones.append({"number": number})
    return {"name": name, "emails": emails, "phones": phones}


CONTACTS = EntryKind("offer_contacts", "contacts", "ContactNotFoundException",
                     "ContactNotUniqueException", check_contact)
