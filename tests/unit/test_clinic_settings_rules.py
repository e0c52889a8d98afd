from clinic.clinic_settings.rules import format_money, is_currency, major_units


def test_currency_codes_are_iso_4217_upper_case():
    assert is_currency("EUR") and is_currency("GBP") and is_currency("JPY")
    assert not is_currency("eur") and not is_currency("XXX") and not is_currency("EURO")


def test_money_shows_the_code_and_the_minor_unit():
    assert format_money(6500, "EUR") == "EUR 65.00"
    assert format_money(123456789, "USD") == "USD 1,234,567.89"
    assert format_money(6500, "JPY") == "JPY 6,500"
    assert format_money(-5, "EUR") == "EUR -0.05"


def test_major_units_for_csv_are_plain_decimals():
    assert major_units(6500, "EUR") == "65.00"
    assert major_units(6500, "JPY") == "6500"
    assert major_units(1234, "KWD") == "1.234"


def test_amounts_are_read_in_the_currency_s_units():
    from clinic.clinic_settings.rules import parse_amount

    assert parse_amount("65", "EUR") == 6500
    assert parse_amount(" 65.5 ", "EUR") == 6550
    assert parse_amount("65,05", "EUR") == 6505
    assert parse_amount("6500", "JPY") == 6500
    assert parse_amount("1.234", "KWD") == 1234
    for bad, currency in [("65.505", "EUR"), ("65.5", "JPY"), ("-1", "EUR"), ("", "EUR"), ("1e3", "EUR"),
                          ("1234567", "EUR")]:
        assert parse_amount(bad, currency) is None, (bad, currency)
