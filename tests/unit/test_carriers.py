"""Which command carries each price and stock change (plan/carriers.py), and what the plan
says that costs (plan/cost.py)."""

from __future__ import annotations

from catalogsync.plan.carriers import choose
from catalogsync.plan.cost import estimate
from catalogsync.plan.model import Action, Change, Command, CommandKind, FieldDiff, Resource

ACTIVATE = Command(kind=CommandKind.PUBLICATION, fields={"status": "active"})


def price(amount: str, marketplace: str | None = None) -> Command:
    fields = {"price": amount} | ({"marketplace": marketplace} if marketplace else {})
    return Command(kind=CommandKind.PRICE, fields=fields)


def gain(value: int) -> Command:
    return Command(kind=CommandKind.QUANTITY, fields={"change": "GAIN", "value": value})


def update(number: int, *commands: Command, stock: int | None = None) -> Change:
    diffs = (FieldDiff(field="stock", old=1, new=stock),) if stock is not None else ()
    return Change(resource=Resource.OFFER, key=f"SKU-{number}", action=Action.UPDATE,
                  id=str(17700000000 + number), diffs=diffs, commands=commands)


def kinds(changes: list[Change]) -> list[list[CommandKind]]:
    return [[c.kind for c in change.commands] for change in changes]


def test_a_repricing_with_every_offer_its_own_price_goes_in_bulk_commands_of_25() -> None:
    changes = [update(i, price(f"{10 + i}.99 PLN")) for i in range(1000)]
    chosen = choose(changes, "allegro-pl")
    assert kinds(chosen) == [[CommandKind.BULK]] * 1000
    assert chosen[7].commands[0].fields == {"prices": {"allegro-pl": "17.99 PLN"}}
    assert chosen[7].via == ("offer-bulk-modification-commands (allegro-pl 17.99 PLN)",)
    assert estimate(chosen)[0] == 40 * 2 + 1  # 40 commands and their polls, the feed read
    assert estimate(changes)[0] == 1000 * 2 + 1  # a price command each


def test_a_value_many_offers_share_keeps_its_own_command() -> None:
    same = [update(i, price("19.99 PLN")) for i in range(30)]
    own = [update(100 + i, price(f"{i}.49 PLN")) for i in range(60)]
    chosen = choose(same + own, "allegro-pl")
    assert kinds(chosen) == [[CommandKind.PRICE]] * 30 + [[CommandKind.BULK]] * 60
    assert estimate(chosen)[0] == (1 + 3) * 2 + 1


def test_prices_abroad_and_stock_of_one_offer_share_its_bulk_part() -> None:
    changes = [update(i, price(f"{i}.99 PLN"), price(f"{i}0.00 CZK", "allegro-cz"),
                      gain(i + 1), ACTIVATE, stock=i + 2) for i in range(1, 4)]
    chosen = choose(changes, "allegro-pl")
    assert kinds(chosen) == [[CommandKind.BULK, CommandKind.PUBLICATION]] * 3
    assert chosen[0].commands[0].fields == {
        "prices": {"allegro-pl": "1.99 PLN", "allegro-cz": "10.00 CZK"},
        "stock": {"change": "GAIN", "value": 2}}
    assert chosen[0].via[0] == ("offer-bulk-modification-commands (allegro-cz 10.00 CZK, "
                                "allegro-pl 1.99 PLN, stock GAIN +2)")


def test_a_single_change_keeps_the_plain_command() -> None:
    """One price: a price command or a bulk command cost the same; the plain one stays."""
    changes = [update(1, price("9.99 PLN"))]
    assert choose(changes, "allegro-pl") == changes


def test_stock_down_to_0_stays_with_the_quantity_command_that_ends_the_offer() -> None:
    changes = [update(i, gain(-1), stock=0) for i in range(3)] + [
        update(10 + i, gain(i + 1), stock=i + 2) for i in range(3)]
    chosen = choose(changes, "allegro-pl")
    assert kinds(chosen) == [[CommandKind.QUANTITY]] * 3 + [[CommandKind.BULK]] * 3
