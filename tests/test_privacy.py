from escucha.privacy import dni_ok, iban_ok, luhn_ok, redact


def test_redacts_each_kind_of_personal_data() -> None:
    text = ("Escribidme a ana.lopez@gmail.com o al +34 612 345 678; DNI 12345678Z, NIE X1234567L, "
            "tarjeta 4111 1111 1111 1111, IBAN ES91 2100 0418 4502 0005 1332.")  # fmt: skip
    out = redact(text)
    for secret in ("ana.lopez", "612 345 678", "12345678Z", "X1234567L", "4111", "ES91"):
        assert secret not in out
    for tag in ("[EMAIL]", "[PHONE]", "[DNI]", "[CARD]", "[IBAN]"):
        assert tag in out


def test_leaves_ordinary_numbers_alone() -> None:
    text = "Pedido 123456 del 12/03/2024, 3 sillas por 45,90 €; tarjeta 1234 5678 9012 3456 no válida"
    assert redact(text) == text  # order number, date, prices and a card failing Luhn stay


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("ES9121000418450200051332") and not iban_ok("ES9121000418450200051333")
    assert dni_ok("", "12345678", "Z") and not dni_ok("", "12345678", "A")
