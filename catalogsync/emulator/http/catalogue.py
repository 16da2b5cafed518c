"""Handlers of `/sale/products` and `/sale/categories*`."""

from __future__ import annotations

from starlette.responses import Response

from catalogsync.emulator.http.gate import Call, allegro_json


def search_products(call: Call) -> Response:
    found = call.backend.catalogue.search_products(call.query("phrase"), call.query("mode"),
                                                   call.query("category.id"))
    return allegro_json(200, found)


def get_product(call: Call) -> Response:
    return allegro_json(200, call.backend.catalogue.get_product(call.path("productId")))


def category_parameters(call: Call) -> Response:
    return allegro_json(200, call.backend.catalogue.category_parameters(call.path("categoryId")))


def categories(call: Call) -> Response:
    return allegro_json(200, call.backend.category_tree.children(call.query("parent.id")))


def category(call: Call) -> Response:
    return allegro_json(200, call.backend.category_tree.get(call.path("categoryId")))
