"""An offer's own translations of its name and description for the languages of Allegro's
additional marketplaces (`translations:` on an offer):

```yaml
translations:
  cs-CZ:
    name: Keramický hrnek 330 ml bílý
    description:
      - text: <p>Hrnek z kameniny.</p>
```

A language named here is managed: its name and description are the seller's own (MANUAL)
translation, written like the offer's own (the same shapes, limits and comparison). An offer
without `translations` leaves every translation, automatic or the seller's, as it is
(plan/translations.py says what happens to a language removed from the mapping).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from catalogsync.catalog.sections import Section
from catalogsync.catalog.values import Frozen, OfferName

#: A BCP-47 language tag as Allegro writes them (`cs-CZ`)
LANGUAGE_TEXT = r"^[a-z]{2}-[A-Z]{2}$"


class Translation(Frozen):
    """One language's name and description (either may be left out: not managed)."""

    name: OfferName | None = None
    description: tuple[Section, ...] | None = None

    @model_validator(mode="after")
    def _something(self) -> Translation:
        if self.name is None and self.description is None:
            raise ValueError("give the translation's name, its description, or both")
        return self


Language = Annotated[str, Field(pattern=LANGUAGE_TEXT)]
Translations = dict[Language, Translation]
