"""Where Allegro's server departs from its own OpenAPI spec, and the emulator with it.

This is the one allow-list of known deviations: the emulator's request gate lets through the
requests listed here that the spec's schema would refuse, and the contract checks
(tests/contract/checks.py, test_served.py) let through the responses listed here that the spec's
schema would refuse, the error statuses the spec leaves undocumented and the media types of
error answers. Every entry says what departs, why the emulator copies it, and where that is
documented. Anything not listed is a violation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Deviation:
    side: str  # "request" (the server accepts) or "response" (the server sends)
    kind: str
    reason: str
    source: str

    def allows(self, error: Any) -> bool:
        """Whether a jsonschema validation error is this deviation."""
        return _MATCHERS[self.kind](error)


def _null_object_or_array(error: Any) -> bool:
    # the library reports a null twice: "None for not nullable" and "not of type"
    return (error.instance is None and error.validator == "type"
            and error.validator_value in ("object", "array"))


def _no_safety_information(error: Any) -> bool:
    path = list(error.absolute_path)
    return (len(path) >= 3 and path[-1] == "type" and path[-2] == "safetyInformation"
            and error.instance == "NO_SAFETY_INFORMATION") or (
        bool(path) and path[-1] == "safetyInformation" and isinstance(error.instance, dict)
        and error.instance.get("type") == "NO_SAFETY_INFORMATION")


def _task_with_subject(error: Any) -> bool:
    # `TaskWithSubjectReport.tasks.items` is a oneOf of the price and the stock task, whose
    # schemas are identical: every task matches both, which oneOf refuses
    return (error.validator == "oneOf" and isinstance(error.instance, dict)
            and "subject" in error.instance and len(error.validator_value) == 2
            and error.validator_value[0] == error.validator_value[1])


def _automation_modification(error: Any) -> bool:
    # `OfferAutomaticPricingCommand.modification` is a oneOf of the set and the remove
    # modification, neither of which requires its one property: every body matches both
    instance = error.instance
    return (error.validator == "oneOf" and list(error.absolute_path) == ["modification"]
            and isinstance(instance, dict) and len(instance) == 1
            and next(iter(instance)) in ("set", "remove"))


_MATCHERS = {
    "a price automation modification matches both oneOf schemas": _automation_modification,
    "a bulk task matches both of its identical oneOf schemas": _task_with_subject,
    "null object or array": _null_object_or_array,
    "NO_SAFETY_INFORMATION in requests": _no_safety_information,
}

DEVIATIONS = (
    Deviation(
        "response", "null object or array",
        "Responses carry `null` in fields the spec types as non-nullable objects or arrays, e.g. "
        "`rangeValue` and `valuesIds` of product parameters, `parent` of a main category. "
        "Strings, numbers and booleans get no such pass.",
        "API_NOTES §11",
    ),
    Deviation(
        "response", "a bulk task matches both of its identical oneOf schemas",
        "The tasks of `GET /sale/offer-bulk-modification-commands/{commandId}/tasks` are a "
        "`oneOf` of `CommandTaskWithPriceSubject` and `CommandTaskWithStockSubject`, which the "
        "spec defines alike (no discriminator, same properties): any task is valid under both, "
        "so no answer can satisfy `oneOf`. The emulator sends the tasks as the spec describes "
        "them (`subject` {offerId, field}, status, message, errors); only this refusal passes.",
        "openapi-latest-bundled.yaml components TaskWithSubjectReport",
    ),
    Deviation(
        "request", "a price automation modification matches both oneOf schemas",
        "`POST /sale/offer-price-automation-commands` takes `modification` as a `oneOf` of "
        "`OfferAutomaticPricingModificationSet` ({set}) and `...Remove` ({remove}), neither of "
        "which requires its property: any body is valid under both, so none satisfies `oneOf`. "
        "The emulator takes exactly one of `set` and `remove` (checked in "
        "services/price_rules.py); only this refusal passes.",
        "openapi-latest-bundled.yaml components OfferAutomaticPricingCommand",
    ),
    Deviation(
        "request", "NO_SAFETY_INFORMATION in requests",
        "`productSet[].safetyInformation` `{\"type\": \"NO_SAFETY_INFORMATION\"}` is accepted "
        "where the category allows it, although the request schema's discriminator lists only "
        "TEXT and ATTACHMENTS: the same spec's 422 tables of POST and PATCH product-offers name "
        "NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED, and sellers report creates that pass with it.",
        "openapi-latest-bundled.yaml /sale/product-offers 422; [I#10772], [I#10953]",
    ),
)


#: Statuses the spec does not document for most operations although Allegro answers them for
#: any operation (reason and source each); their bodies must still be Allegro's `ErrorsHolder`.
UNDOCUMENTED_STATUSES = {
    400: "a body that is not JSON or missing (API_NOTES §2); invalid id formats",
    401: "missing, expired or foreign bearer token (API_NOTES §1, FAQ R9, R10)",
    403: "another seller's resource (FAQ R21) or a switched-off resource (API_NOTES §0)",
    404: "unknown or archived resource (FAQ R20)",
    406: "wrong Accept header (API_NOTES §1)",
    409: "a command id used twice, an edit while the last is processing (API_NOTES §4, §5)",
    415: "wrong Content-Type (API_NOTES §1)",
    422: "a request the backend rejects (FAQ R19)",
    429: "rate limits (API_NOTES §3, FAQ R1, R2); the spec documents no 429",
    500: "injected fault (steering)",
    502: "injected fault (steering)",
    503: "injected fault (steering)",
    504: "injected fault (steering)",
}
#: Error answers may come as plain JSON or as Allegro's media type whatever the spec lists
#: (API_NOTES §1: "Error responses may come back as content-type: application/json"); e.g. the
#: spec lists only application/json for GET /sale/offer-events' 400 and only Allegro's type for
#: most others. Successful answers must carry a documented media type.
ERROR_MEDIA_TYPES = {"application/json", "application/vnd.allegro.public.v1+json"}


def allowed(side: str, error: Any) -> bool:
    return any(d.side == side and d.allows(error) for d in DEVIATIONS)
