"""Money as integer minor units of an ISO 4217 currency the provider charges in."""

from __future__ import annotations

from dataclasses import dataclass


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Currencies without a minor unit: an amount of 500 JPY is ¥500, not ¥5.
ZERO_DECIMAL = _codes("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF")
#: Currencies whose minor unit is a thousandth.
THREE_DECIMAL = _codes("BHD JOD KWD OMR TND")
#: The ISO 4217 codes Stripe charges in.
SUPPORTED = (
    ZERO_DECIMAL
    | THREE_DECIMAL
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


def decimals(currency_code: str) -> int:
    """How many digits the currency's minor unit has (0 for JPY, 2 for EUR, 3 for KWD)."""
    if currency_code in ZERO_DECIMAL:
        return 0
    return 3 if currency_code in THREE_DECIMAL else 2


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of `currency_code` (upper-case ISO 4217)."""

    amount: int
    currency_code: str

    def __str__(self) -> str:
        places = decimals(self.currency_code)
        if places == 0:
            return f"{self.amount} {self.currency_code}"
        whole, minor = divmod(self.amount, 10**places)
        return f"{whole}.{minor:0{places}d} {self.currency_code}"
