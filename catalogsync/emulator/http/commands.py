"""Handlers of the batch commands: PUT (POST for the bulk modification), GET report, GET
tasks (API_NOTES §5)."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import BETA_MEDIA_TYPE, Call, Handler, allegro_json


def command_handlers(kind: str) -> tuple[Handler, Handler, Handler]:
    """PUT, GET report and GET tasks of one kind of batch command (API_NOTES §5)."""

    def put(call: Call) -> Response:
        report = call.backend.commands.put(call.user_id, kind, call.path("commandId"), call.body)
        return allegro_json(201, report)

    def report(call: Call) -> Response:
        return allegro_json(200, call.backend.commands.report(call.user_id, kind,
                                                              call.path("commandId")))

    def tasks(call: Call) -> Response:
        return allegro_json(200, call.backend.commands.tasks(
            call.user_id, kind, call.path("commandId"),
            limit=call.int_query("limit", 100, status=422),
            offset=call.int_query("offset", 0, status=422),
        ))

    return put, report, tasks


def post_bulk(call: Call) -> Response:
    """`POST /sale/offer-bulk-modification-commands` (beta: answered in the beta media type)."""
    report = call.backend.commands.post_bulk(call.user_id, call.body)
    return allegro_json(201, report, media_type=BETA_MEDIA_TYPE)
