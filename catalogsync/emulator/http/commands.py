"""Handlers of the four batch commands: PUT, GET report, GET tasks (API_NOTES §5)."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, Handler, allegro_json


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
