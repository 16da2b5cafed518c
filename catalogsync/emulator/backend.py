"""The emulator's composition root: one store, the services over it, limits and faults.

Every Allegro rule lives in a service (`services/`); handlers (`http/`) call them as
`backend.offers.create(...)`. What is left here is what spans them all: the order in which due
work settles, the seed, and steering that concerns the whole emulator (reset, clock,
settings, request counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from catalogsync.emulator.core.clock import Clock
from catalogsync.emulator.core.errors import Doc, iso
from catalogsync.emulator.core.faults import Faults
from catalogsync.emulator.core.limits import Limiter
from catalogsync.emulator.core.reference import Reference
from catalogsync.emulator.core.settings import Settings
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.seed import insert_seed
from catalogsync.emulator.services.accounts import Accounts
from catalogsync.emulator.services.after_sales import AfterSales
from catalogsync.emulator.services.attachments import Attachments
from catalogsync.emulator.services.badge_campaigns import BadgeCampaigns
from catalogsync.emulator.services.campaigns import Campaigns
from catalogsync.emulator.services.catalogue import Catalogue
from catalogsync.emulator.services.category_tree import CategoryTree
from catalogsync.emulator.services.commands import Commands
from catalogsync.emulator.services.contacts import CONTACTS
from catalogsync.emulator.services.events import OfferEvents
from catalogsync.emulator.services.images import Images
from catalogsync.emulator.services.oauth import OAuth
from catalogsync.emulator.services.offers.gpsr import Gpsr
from catalogsync.emulator.services.offers.lifecycle import OfferLifecycle
from catalogsync.emulator.services.offers.references import OfferReferences
from catalogsync.emulator.services.offers.service import Offers
from catalogsync.emulator.services.offers.storage import OfferStore
from catalogsync.emulator.services.orders import Orders
from catalogsync.emulator.services.responsible import PERSONS, PRODUCERS, Responsible
from catalogsync.emulator.services.seller_entries import SellerEntries
from catalogsync.emulator.services.shipping import ShippingRates
from catalogsync.emulator.services.size_tables import SIZE_TABLES
from catalogsync.emulator.services.translations import OfferTranslations
from catalogsync.emulator.services.variants import VariantSets


class Backend:
    """All emulator state and rules. Thread-safe; every service call is one committed
    transaction of the store."""

    def __init__(self, db_path: str | Path = ":memory:", clock: Clock | None = None) -> None:
        self.store = store = Store(db_path, clock)
        self.clock = store.clock
        self.stats: Counter[str] = Counter()
        self.limiter = Limiter(lambda: store.settings, store.clock.timestamp)
        self.faults = Faults(store.clock.timestamp)
        self.reference = reference = Reference(store)
        self.oauth = OAuth(store, reference)
        self.accounts = Accounts(reference)
        self.after_sales = AfterSales(store)
        self.catalogue = Catalogue(reference)
        self.category_tree = CategoryTree(reference)
        self.shipping = ShippingRates(store, reference)
        self.events = OfferEvents(store)
        self.images = Images(store)
        self.responsible_producers = Responsible(store, PRODUCERS)
        self.responsible_persons = Responsible(store, PERSONS)
        self.attachments = Attachments(store)
        self.size_tables = SellerEntries(store, SIZE_TABLES)
        self.contacts = SellerEntries(store, CONTACTS)
        references = OfferReferences(self.size_tables, self.contacts)
        gpsr = Gpsr(self.catalogue, self.responsible_producers, self.responsible_persons,
                    self.attachments)
        self._offer_store = offer_store = OfferStore(store)
        self.campaigns = Campaigns(store, offer_store, self.accounts)
        self.badge_campaigns = BadgeCampaigns(self.accounts)
        offer_store.listen(self.events.offer_saved)
        offer_store.listen(self.campaigns.offer_saved)  # R26
        lifecycle = OfferLifecycle(store, offer_store, self.catalogue, self.events)
        lifecycle.publication_rules.append(gpsr.publication_problems)
        self.offers = Offers(store, offer_store, lifecycle, self.catalogue, self.shipping,
                             self.after_sales, self.images, gpsr, references)
        self.commands = Commands(store, offer_store, lifecycle, self.shipping, self.limiter,
                                 gpsr, self.faults.task_fails, references)
        self.price_rules = self.commands.price_rules
        self.variants = VariantSets(store, offer_store, self.catalogue)
        self.translations = OfferTranslations(store, offer_store)
        self.orders = Orders(store, offer_store, lifecycle)
        self.commands.listen(self.orders.buy_named)  # the `purchase_on_command` buyer
        store.due_work = (self.commands.settle_due, lifecycle.settle_due, lifecycle.housekeeping)
        if store.meta("seeded") is None:
            self._seed()
        reference.load()

    @property
    def settings(self) -> Settings:
        return self.store.settings

    def close(self) -> None:
        self.store.close()

    def _seed(self) -> None:
        insert_seed(self.store.db, iso(self.clock.now()))
        self.store.set_meta("seeded", True)
        self.store.db.commit()

    # ----------------------------------------------------------------- steering

    def reset(self) -> None:
        """Wipe seller data and re-seed; forget request limits and injected faults. Tokens,
        settings, the clock and the offer-id counter are kept, so running clients carry on and
        new offers never reuse an old id."""
        with self.store.lock:
            self.store.wipe()
            self._seed()
            self.reference.load()
            self.stats.clear()
            self._offer_store.forget_drafts()
            self.limiter.reset()
            self.faults.reset()

    def advance_clock(self, seconds: float) -> datetime:
        return self.store.advance_clock(seconds)

    def update_settings(self, changes: Mapping[str, Any]) -> Doc:
        return self.store.update_settings(changes)

    def count_request(self, key: str) -> None:
        self.stats[key] += 1
