"""Currencies Stripe charges in, their decimals and Stripe's minimum charge amounts."""

from __future__ import annotations

from sandbox.stripe.errors import invalid


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


ZERO_DECIMAL = _codes("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf")
THREE_DECIMAL = _codes("bhd jod kwd omr tnd")
# Minimum charge amounts in minor units (Stripe's table); others at least one unit.
MINIMUMS: dict[str, int] = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip
SUPPORTED = (
    frozenset(MINIMUMS)
    | ZERO_DECIMAL
    | THREE_DECIMAL
    | _codes(
        "afn all amd ang aoa ars awg azn bam bbd bdt bmd bnd bob bsd bwp byn bzd cdf cny cop crc "
        "cve dop dzd egp etb fjd fkp gel gip gmd gtq gyd hnl htg idr ils isk jmd kes kgs khr kyd "
        "kzt lak lbp lkr lrd lsl mad mdl mkd mmk mnt mop mur mvr mwk mzn nad ngn nio npr pab pen "
        "pgk php pkr qar rsd rub sar sbd scr shp sle sos srd szl tjs top try ttd twd tzs uah uyu "
        "uzs wst xcd yer zar zmw"
    )
)
MAXIMUM = 99_999_999


def currency(value: str | None) -> str:
    """The lowercase ISO 4217 code, or Stripe's invalid-currency error on `currency`."""
    if value is None:
        raise invalid(
            "Missing required param: currency.", param="currency", code="parameter_missing"
        )
    code = value.lower()
    if code not in SUPPORTED:
        raise invalid(
            f"Invalid currency: {value}.", param="currency", code="parameter_invalid_string"
        )
    return code


def check_amount(amount: int, code: str, *, param: str = "amount") -> int:
    """Stripe's bounds on a charge amount in `code`'s minor units."""
    minimum = MINIMUMS.get(code, 1)
    if amount < 1:
        raise invalid("This value must be greater than or equal to 1.", param=param)
    if amount < minimum:
        raise invalid(
            f"Amount must be at least {display(minimum, code)} {code}",
            param=param,
            code="amount_too_small",
        )
    if amount > MAXIMUM:
        raise invalid(
            f"Amount must be no more than {display(MAXIMUM, code)} {code}",
            param=param,
            code="amount_too_large",
        )
    if code in THREE_DECIMAL and amount % 10:
        raise invalid(
            f"Amounts in {code} must end in 0: Stripe charges it to two decimals.", param=param
        )
    return amount


def display(amount: int, code: str) -> str:
    """An amount in minor units as a person reads it: 50 usd → 0.50, 50 jpy → 50."""
    if code in ZERO_DECIMAL:
        return str(amount)
    places = 3 if code in THREE_DECIMAL else 2
    return f"{amount / 10**places:.{places}f}"
