"""Amounts of money written the way readers of each language expect.

Chilean pesos have no cents in use; euros and dollars show two decimals. The symbol goes where
the language puts it: "$4.500.000" and "4.500.000,00 €" in Spanish and Catalan, "$4,500,000"
and "€4,500,000.00" in English. A currency without a known symbol shows its ISO code.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, translation

# ISO 4217 minor units of the currencies the programs use (others default to 2).
DECIMALS = {"CLP": 0, "CLF": 4, "PYG": 0, "JPY": 0, "KRW": 0, "COP": 2, "UYU": 2}
SYMBOLS = {"CLP": "$", "EUR": "€", "USD": "US$", "GBP": "£", "ARS": "$", "MXN": "$", "COP": "$"}
# Languages that write the euro sign after the amount.
SUFFIX_LANGUAGES = ("es", "ca")


def money(amount: Decimal | int | float | None, currency: str) -> str:
    if amount is None:
        return "—"
    places = DECIMALS.get(currency, 2)
    value = Decimal(amount).quantize(Decimal(1).scaleb(-places))
    number = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{number}\u00a0{currency}"
    language = (translation.get_language() or "en").split("-")[0]
    if currency == "EUR" and language in SUFFIX_LANGUAGES:
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}"


def number(value: Decimal | int | float | None) -> str:
    """An indicator's value: no trailing ",00" for whole numbers."""
    if value is None:
        return "—"
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)
