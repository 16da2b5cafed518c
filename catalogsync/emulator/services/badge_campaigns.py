"""`GET /sale/badge-campaigns`: the campaigns a seller can put offers in (API_NOTES §9).

The emulator runs the campaigns of `campaigns.CAMPAIGNS` all the time on allegro-pl and lets any
Business Account apply (guesses: the spec's examples show time windows and refusal reasons that
depend on Allegro's judgement of the account; the emulator has none). Other marketplaces list
no campaigns. Errors follow the spec's examples: 400 BB35 for an unknown marketplace, 403 BB2
for an account that is not a Business Account.
"""

from __future__ import annotations

from catalogsync.emulator.core.errors import ApiError, Doc
from catalogsync.emulator.services.accounts import Accounts
from catalogsync.emulator.services.campaigns import CAMPAIGNS, MARKETPLACES

#: Campaigns that lower the price (the spec's `type`); the others are STANDARD.
DISCOUNTS = ("BARGAIN", "SUBSIDY")


class BadgeCampaigns:
    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    def list(self, seller: str, marketplace: str | None) -> Doc:
        marketplace = marketplace or "allegro-pl"
        if marketplace not in MARKETPLACES:
            message = "Invalid [marketplace.id] parameter value."
            raise ApiError(400, "BB35", message, "marketplace.id")
        user = self._accounts.me(seller)
        if not (user.get("company") or {}).get("name"):
            raise ApiError(403, "BB2", "The account is not a Business Account.")
        if marketplace != "allegro-pl":
            return {"badgeCampaigns": []}
        return {"badgeCampaigns": [
            {
                "id": campaign_id,
                "name": name,
                "marketplace": {"id": marketplace},
                "type": "DISCOUNT" if campaign_id in DISCOUNTS else "STANDARD",
                "eligibility": {"eligible": True, "refusalReasons": []},
                "application": {"type": "ALWAYS"},
                "visibility": {"type": "ALWAYS"},
                "publication": {"type": "ALWAYS"},
                "regulationsLink": f"https://na.allegro.pl/regulamin-kampania-{campaign_id}",
                "stockReservationIsRequired": campaign_id == "BARGAIN",
            }
            for campaign_id, name in CAMPAIGNS.items()
        ]}
