"""What a clinic setting may hold. Pure: no Flask, no database."""

import re

# ISO 4217 active currency codes (the list a clinic could price in).
ISO_4217_CODES = frozenset(
    (
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
        "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
        "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
        "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
        "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
        "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
        "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
        "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
        "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
        "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
        "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
        "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
    )
)

# Currencies whose minor unit is not a hundredth (prices are stored in minor units).
MINOR_UNIT_DIGITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                     "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}

MAX_NOTICE_HOURS = 24 * 14
FIELD_LENGTHS = {"name": 120, "address": 500, "phone": 40, "email": 254}


def is_currency(code: str) -> bool:
    return code in ISO_4217_CODES


def minor_unit_digits(currency: str) -> int:
    return MINOR_UNIT_DIGITS.get(currency, 2)


def format_money(minor_units: int, currency: str) -> str:
    """'EUR 65.00': the code, not a symbol, so no currency is mistaken for another."""
    digits = minor_unit_digits(currency)
    sign = "-" if minor_units < 0 else ""
    whole, fraction = divmod(abs(minor_units), 10**digits)
    amount = f"{whole:,}" + (f".{fraction:0{digits}d}" if digits else "")
    return f"{currency} {sign}{amount}"


def major_units(minor_units: int, currency: str) -> str:
    """The amount as a plain decimal string in the currency's units (for CSV)."""
    digits = minor_unit_digits(currency)
    sign = "-" if minor_units < 0 else ""
    whole, fraction = divmod(abs(minor_units), 10**digits)
    return f"{sign}{whole}" + (f".{fraction:0{digits}d}" if digits else "")


def parse_amount(text: str, currency: str) -> int | None:
    """'65', '65.5' or '65,50' in the currency's units, as minor units; None if it is not one.

    At most six whole digits and the currency's own number of decimals (none for JPY).
    """
    digits = minor_unit_digits(currency)
    decimals = rf"(?:[.,](\d{{1,{digits}}}))?" if digits else ""
    match = re.fullmatch(r"(\d{1,6})" + decimals, (text or "").strip())
    if match is None:
        return None
    fraction = (match.group(2) or "") if digits else ""
    return int(match.group(1)) * 10**digits + int(fraction.ljust(digits, "0") or 0)
