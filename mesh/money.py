"""ISO 4217 minor units: how many digits an amount's minor unit has, and amounts as text."""

from __future__ import annotations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Currencies without a minor unit: an amount of 500 JPY is ¥500, not ¥5. (ISK is left out: ISO
#: gives it none, but Stripe, which the amounts go to, counts it in hundredths.)
ZERO_DECIMAL = _codes("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF")
#: Currencies whose minor unit is a thousandth.
THREE_DECIMAL = _codes("BHD IQD JOD KWD LYD OMR TND")


def minor_unit_digits(currency_code: str) -> int:
    """How many digits the currency's minor unit has (0 for JPY, 2 for EUR, 3 for KWD)."""
    code = currency_code.upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def format_amount(amount: int, currency_code: str) -> str:
    """An amount in minor units as a reader sees it: 1234 EUR → "12.34 EUR", 500 JPY → "500 JPY"."""
    code = currency_code.upper()
    places = minor_unit_digits(code)
    sign, amount = ("-" if amount < 0 else ""), abs(amount)
    if places == 0:
        return f"{sign}{amount} {code}"
    whole, minor = divmod(amount, 10**places)
    return f"{sign}{whole}.{minor:0{places}d} {code}"
