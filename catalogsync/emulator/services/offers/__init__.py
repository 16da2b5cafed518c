"""Offers and product-offers: documents, body fields, storage, publication lifecycle, API."""
