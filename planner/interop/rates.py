"""The exchange rates an import needs, for the catalogue it is written into.

An imported file priced in US dollars cannot be used by a catalogue whose base currency is
the euro and that has no dollar rate: every route would be refused. Rather than let the
catalogue check report that against a file that does not exist yet, an import decides
here, before anything is written, what to do:

* every price's currency is the base currency or has a rate: nothing to add;
* the folder states no ``meta`` and holds no prices: the imported file gets a ``meta`` with
  the rates the user gave (``--rate USD=0.92``) or, when all its prices share one currency
  and none was given, that currency as the base (a US catalogue is planned in dollars);
* otherwise the import stops with a message that names the fix: the ``--rate`` option, or
  the ``meta.exchange_rates`` entry to add to the file that holds ``meta``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RatePlan", "import_currencies", "parse_rate", "plan_rates"]

DEFAULT_BASE = "EUR"


@dataclass(frozen=True)
class RatePlan:
    """What an import does about currencies.

    Attributes
    ----------
    meta : dict or None
        A ``meta`` section to write into the imported file (None: write none).
    error : str or None
        Why the import cannot go on, with the fix (None: it can).
    notes : tuple of str
        What was decided, for the user.
    """

    meta: dict[str, Any] | None = None
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def parse_rate(text: str) -> tuple[str, float]:
    """Read ``CUR=VALUE`` (the value of one CUR in the base currency).

    Raises
    ------
    ValueError
        Naming the option and what is expected.
    """
    code, sep, value = text.partition("=")
    code = code.strip().upper()
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not sep or len(code) != 3 or not code.isalpha() or not code.isascii() or not 0 < rate < 1e6:
        raise ValueError(f"--rate {text[:40]!r}: expected CUR=VALUE, the value of one CUR in the base currency, "
                         "e.g. USD=0.92")
    return code, rate


def import_currencies(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Currency -> how many imported credentials are priced in it (their one price, or each audience's)."""
    counts: dict[str, int] = {}
    for item in items:
        prices = [item["cost"]] if isinstance(item.get("cost"), Mapping) else [
            o.get("price") for o in item.get("costs") or [] if isinstance(o, Mapping)]
        for currency in {p.get("currency", DEFAULT_BASE) for p in prices if isinstance(p, Mapping)}:
            counts[currency] = counts.get(currency, 0) + 1
    return counts


def plan_rates(imported: Mapping[str, int], *, meta: Mapping[str, Any] | None, meta_file: str | None,
               folder_currencies: Iterable[str], given: Mapping[str, float], folder: str) -> RatePlan:
    """Decide the rates an import into ``folder`` needs (see the module docstring).

    Parameters
    ----------
    imported : mapping of str to int
        The imported prices' currencies (:func:`import_currencies`).
    meta : mapping or None
        The folder's ``meta`` section, when one of its files has one.
    meta_file : str or None
        That file, for the message.
    folder_currencies : iterable of str
        Currencies the folder's credentials are already priced in.
    given : mapping of str to float
        Rates the user gave (``--rate``).
    folder : str
        The folder, for the message.

    Returns
    -------
    RatePlan
    """
    base = str((meta or {}).get("base_currency") or DEFAULT_BASE)
    rates = dict((meta or {}).get("exchange_rates") or {})
    missing = sorted(c for c in imported if c != base and c not in rates)
    if not missing:
        return RatePlan()
    example = " ".join(f"--rate {c}=VALUE" for c in missing)
    if meta is not None:
        lines = "".join(f"\n    {c}: VALUE   # the value of one {c} in {base}" for c in missing)
        return RatePlan(error=(
            f"prices in {', '.join(missing)} have no exchange rate in {folder} (base currency {base}); add them "
            f"under meta.exchange_rates in {meta_file}:{lines}\nthen run the import again"))
    priced_here = set(folder_currencies)
    if all(c in given for c in missing):
        return RatePlan(meta={"base_currency": base, "exchange_rates": {c: given[c] for c in missing}},
                        notes=(f"exchange rates for {', '.join(missing)} written into the imported file's meta "
                               f"(base currency {base})",))
    if len(imported) == 1 and not priced_here - set(imported):
        (only,) = imported
        return RatePlan(meta={"base_currency": only}, notes=(
            f"every imported price is in {only}, so the catalogue's base currency is {only} (written into the "
            f"imported file's meta); to plan in {base} instead, import again with --rate {only}=VALUE",))
    return RatePlan(error=(
        f"prices in {', '.join(missing)} have no exchange rate for the base currency {base} of {folder}; give "
        f"them with {example} (the value of one unit in {base}) and run the import again"))
