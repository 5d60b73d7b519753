"""Money as integer minor units of an ISO 4217 currency the provider charges in."""

from __future__ import annotations

from dataclasses import dataclass

from mesh.money import THREE_DECIMAL, ZERO_DECIMAL, format_amount


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The ISO 4217 codes Stripe charges in.
SUPPORTED = (
    ZERO_DECIMAL
    | (THREE_DECIMAL - {"IQD", "LYD"})
    | _codes(
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BWP BYN "
        "BZD CAD CDF CHF CNY COP CRC CVE CZK DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD "
        "GTQ GYD HKD HNL HTG HUF IDR ILS INR ISK JMD KES KGS KHR KYD KZT LAK LBP LKR LRD LSL "
        "MAD MDL MKD MMK MNT MOP MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK "
        "PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SEK SGD SHP SLE SOS SRD SZL THB TJS TOP TRY "
        "TTD TWD TZS UAH USD UYU UZS WST XCD YER ZAR ZMW"
    )
)
#: The largest amount Stripe takes in one charge, in minor units.
MAXIMUM_AMOUNT = 99_999_999


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of `currency_code` (upper-case ISO 4217)."""

    amount: int
    currency_code: str

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency_code)
