"""PII redaction by class: each format once missed, each kind of number once taken for a phone,
nested metadata, quarantine and the ingest log, POST /feedback, and P/R on the labelled snippets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from escucha.privacy import (
    find_pii,
    personal_key,
    redact,
    redact_feedback,
    redact_mapping,
    redact_raw,
)

ROOT = Path(__file__).resolve().parents[1]


def tags(text: str) -> list[tuple[str, str]]:
    return [(s.tag, text[s.start : s.end]) for s in find_pii(text)]


@pytest.mark.parametrize("iban", [
    "ES91 2100 0418 4502 0005 1332", "es9121000418450200051332", "ES91-2100-0418-4502-0005-1332",
    "es91 2100 0418 4502 0005 1332", "ES 91 2100 0418 4502 0005 1332", "DE89 3704 0044 0532 0130 00",
    "de89370400440532013000", "FR14 2004 1010 0505 0001 3M02 606", "fr1420041010050500013m02606",
    "GB29 NWBK 6016 1331 9268 19", "gb29-nwbk-6016-1331-9268-19",
])  # fmt: skip
def test_iban_in_any_case_and_spacing(iban: str) -> None:
    assert tags(f"Devolvedlo a {iban}, gracias.") == [("IBAN", iban)]


def test_mistyped_iban_after_its_name_is_still_redacted() -> None:
    assert tags("IBAN: ES91 2100 0418 4502 0005 1333 por favor") == [
        ("IBAN", "ES91 2100 0418 4502 0005 1333")
    ]
    assert find_pii("ES91 2100 0418 4502 0005 1333") == []  # no checksum, no cue: not claimed


@pytest.mark.parametrize("card", [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111", "4111111111111111",
    "3782 822463 10005", "5555.5555.5555.4444",
])  # fmt: skip
def test_cards_with_spaces_dashes_or_dots(card: str) -> None:
    assert tags(f"tarjeta {card} cobrada dos veces") == [("CARD", card)]


@pytest.mark.parametrize("text", [
    "IMEI 356938035643809 del móvil",  # Luhn-valid, but 15 digits starting 35 is no card
    "order no. 112-3456789-1234567",
    "tarjeta 1234 5678 9012 3456 no válida",
])  # fmt: skip
def test_card_like_numbers_that_are_not_cards(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize("dni", [
    "12345678Z", "12345678-Z", "12345678 Z", "12.345.678-Z", "12.345.678Z", "12.345.678 z", "12345678z",
    "X1234567L", "X-1234567-L", "x-1234567-l", "X 1234567 L", "X.1234567.L", "Y-1234567-X", "Z1234567R",
])  # fmt: skip
def test_dni_and_nie_with_dots_dashes_spaces(dni: str) -> None:
    assert tags(f"Mi DNI: {dni}.") == [("DNI", dni)]


def test_dni_without_letter_only_when_named() -> None:
    assert tags("mi DNI es el 12345678") == [("DNI", "12345678")]
    assert find_pii("pedido 12345678 a domicilio") == []  # 'a' is a word here, and no DNI is named


@pytest.mark.parametrize("phone", [
    "+34 612 34 56 78", "612-345-678", "91 123 45 67", "612345678", "0034 699 887 766", "(+34) 93 412 34 56",
    "677.889.900", "+52 55 1234 5678", "55 1234 5678", "(81) 8123 4567", "(212) 867-4410",
    "212-867-5309", "+1 646 555 0134", "1-800-275-2273", "+44 7700 900123",
])  # fmt: skip
def test_phones_after_a_phone_word(phone: str) -> None:
    assert tags(f"Llámame al {phone} por la tarde") == [("PHONE", phone)]
    assert tags(f"call me on {phone} please") == [("PHONE", phone)]


@pytest.mark.parametrize(
    "phone", ["+34 611 222 333", "666 777 888", "(415) 867-2671", "+1-212-867-0147"]
)
def test_phones_by_shape_without_context(phone: str) -> None:
    assert tags(f"Sigo esperando. {phone}") == [("PHONE", phone)]


@pytest.mark.parametrize("text", [
    "pedido 123456789", "order #987654321 never arrived", "Nº de pedido: 612345678", "Ref. 700123456",
    "nº de pedido 611 223 344", "my order number is 987654321", "factura 700112233", "invoice 612345678",
    "tracking 0034567890123", "número de seguimiento 612 345 678", "albarán 912345678", "ticket #4521987",
    "bag tags 0016 964012, 0016 964077", "Póliza 612 345 678", "código de cliente 612345678",
])  # fmt: skip
def test_order_invoice_and_tracking_numbers_are_not_phones(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize("text", [
    "Compré 3 sillas por 45,90 € el 12/03/2024", "El 15.03.2024 a las 10.30 h", "Me cobraron 1.234.567 pesos",
    "That's 1,234,567 points", "CP 28001 Madrid", "Flight IB6251 at 14:35", "In 2019 and 2023",
    "Router IP 192.168.1.10", "EAN 4006381333931", "ISBN 978-84-376-0494-7", "Llegó el 03-04-2024",
    "Precio final 1.599.000 COP", "987654321",
])  # fmt: skip
def test_prices_dates_codes_and_bare_order_ids_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("email", [
    "ana.lopez@gmail.com", "JUAN.PEREZ@Hotmail.es", "juan at gmail dot com", "maria (arroba) yahoo (punto) es",
    "tom[at]protonmail[dot]com", "kim at yahoo dot co dot uk", "marta arroba gmail punto com",
])  # fmt: skip
def test_emails_plain_and_spelt(email: str) -> None:
    assert tags(f"escribidme a {email} gracias") == [("EMAIL", email)]


def test_words_at_and_dot_are_not_an_email() -> None:
    assert find_pii("Look at this dot com company, meet me at home.") == []


def test_redact_replaces_each_span_with_its_tag() -> None:
    text = "Soy Ana, DNI 79092953-R, teléfono 666 777 888, pedido 123456789, correo ana.r@gmail.com"
    assert redact(text) == "Soy [NAME], DNI [DNI], teléfono [PHONE], pedido 123456789, correo [EMAIL]"
    assert redact(redact(text)) == redact(text)


def test_nested_metadata_is_redacted_and_personal_keys_replaced_whole() -> None:
    meta: dict[str, Any] = {
        "customer_email": "ana@x.es", "customerName": "Ana López", "phone": 612345678,
        "address": {"street": "Calle Mayor 1", "city": "Madrid"}, "product_name": "Silla", "city": "Sevilla",
        "order_id": 123456789, "notes": ["llámame al 612 345 678", {"contacto": "escribe a ana@x.es"}],
        "survey": {"agent_name": "Luis", "score": 9, "dni": None},
    }  # fmt: skip
    out = redact_mapping(meta)
    assert (
        out["customer_email"] == "[EMAIL]"
        and out["customerName"] == "[NAME]"
        and out["phone"] == "[PHONE]"
    )
    assert out["address"] == "[ADDRESS]" and out["survey"] == {
        "agent_name": "[NAME]",
        "score": 9,
        "dni": None,
    }
    assert (
        out["product_name"] == "Silla" and out["city"] == "Sevilla" and out["order_id"] == 123456789
    )
    assert out["notes"] == ["llámame al [PHONE]", {"contacto": "escribe a [EMAIL]"}]
    assert meta["phone"] == 612345678  # the input is not changed


def test_personal_keys() -> None:
    for key in ("email", "E-mail", "correo_cliente", "tel", "telefono_movil", "first_name", "Apellidos", "DNI",
                "direccion_envio", "iban", "ip_address"):  # fmt: skip
        assert personal_key(key) is not None, key
    for key in ("product_name", "store_name", "city", "order_id", "score", "source", "channel"):
        assert personal_key(key) is None, key


def test_very_deep_metadata_does_not_recurse_forever() -> None:
    deep: Any = "ana@x.es"
    for _ in range(5000):
        deep = {"k": deep}
    out = redact_mapping(deep)
    assert "ana@x.es" not in json.dumps(out)


def test_raw_rows_as_json_or_text() -> None:
    raw = json.dumps(
        {"text": "llámame al 612 345 678", "nombre": "Ana", "nps": "x"}, ensure_ascii=False
    )
    assert json.loads(redact_raw(raw)) == {
        "text": "llámame al [PHONE]",
        "nombre": "[NAME]",
        "nps": "x",
    }
    assert redact_raw("7,ana@x.es,612 345 678,hola") == "7,[EMAIL],[PHONE],hola"
    assert redact_raw('{"text": "ana@x.es", "cut…') == '{"text": "[EMAIL]", "cut…'


def test_redact_feedback_keeps_a_given_id_and_rehashes_a_derived_one() -> None:
    from escucha.models import Feedback

    fb = Feedback(text="Llámame al 612 345 678", title="ana@x.es", metadata={"email": "ana@x.es"})
    out = redact_feedback(fb)
    assert (out.text, out.title, out.metadata) == (
        "Llámame al [PHONE]",
        "[EMAIL]",
        {"email": "[EMAIL]"},
    )
    assert out.id == Feedback(text="Llámame al [PHONE]", title="[EMAIL]").id != fb.id
    assert redact_feedback(Feedback(id="v9", text="tel 612345678")).id == "v9"


def test_ingest_redacts_text_metadata_quarantine_and_log(tmp_path: Path) -> None:
    import escucha

    ws = escucha.open(tmp_path / "ws", redact_pii=True)
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "1", "text": "Llámame al 612 345 678", "email": "ana@x.es", "cliente": {"nombre": "Ana", "tel": "611"}},
        {"id": "2", "text": "DNI 12345678Z, tarjeta 4111 1111 1111 1111", "nps": "ana@x.es"},
    ]  # fmt: skip
    src.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    summary = ws.ingest(src)
    assert summary.stored == 1 and summary.quarantined == 1
    fb, _ = ws.get(ws.items().iloc[0]["id"])
    assert fb.text == "Llámame al [PHONE]"
    assert fb.metadata["email"] == "[EMAIL]" and fb.metadata["cliente"] == {
        "nombre": "[NAME]",
        "tel": "[PHONE]",
    }
    dumped = ws.store.quarantine().to_json() + json.dumps(summary.to_dict(), ensure_ascii=False)
    with ws.store.connect() as con:  # type: ignore[attr-defined]
        dumped += json.dumps(con.execute("SELECT * FROM ingest_log").fetchall(), default=str)
    for secret in ("ana@x.es", "12345678Z", "4111 1111"):
        assert secret not in dumped


def test_post_feedback_honours_redact_pii(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("argon2")
    from fastapi.testclient import TestClient

    import escucha
    from escucha.http import auth
    from escucha.server import create_app

    ws = escucha.open(tmp_path / "ws", redact_pii=True)
    tok = auth.create_token(ws, "t", "admin")[1]
    client = TestClient(create_app(ws))
    body = [{"text": "Llámame al 612 345 678", "metadata": {"email": "ana@x.es", "nota": "DNI 12345678Z"}},
            {"id": "k1", "text": "mi correo ana@x.es", "title": "IBAN ES9121000418450200051332"}]  # fmt: skip
    r = client.post(
        "/api/v1/feedback?analyze=true", json=body, headers={"Authorization": f"Bearer {tok}"}
    )
    assert r.status_code == 201, r.text
    ids = r.json()["ids"]
    assert ids[1] == "k1"
    first, _ = ws.get(ids[0])
    second, analysis = ws.get("k1")
    assert first.text == "Llámame al [PHONE]" and first.metadata == {
        "email": "[EMAIL]",
        "nota": "DNI [DNI]",
    }
    assert second.text == "mi correo [EMAIL]" and second.title == "IBAN [IBAN]"
    assert analysis is None or "ana@x.es" not in analysis.model_dump_json()


def test_precision_and_recall_on_the_labelled_snippets() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_pii import load, score
    finally:
        sys.path.pop(0)
    rows = load()
    assert len(rows) >= 200 and sum(1 for r in rows if not r["spans"]) >= 60
    for part in ("dev", "heldout", "heldout2", "people"):
        result, errors = score([r for r in rows if r["split"] == part])
        assert result["overall"]["precision"] >= 0.95 and result["overall"]["recall"] >= 0.95, (
            errors
        )
    result, errors = score(rows)
    for tag, prf in result["by_tag"].items():
        assert prf["precision"] >= 0.95 and prf["recall"] >= 0.95, (tag, errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Me llamo Ana García López y vivo en C/ Alcalá 45, 3º B, 28014 Madrid.",
         "Me llamo [NAME] y vivo en [ADDRESS]."),
        ("La agente María me colgó.", "La agente [NAME] me colgó."),
        ("My name is John Smith, I live at 221B Baker Street.", "My name is [NAME], I live at [ADDRESS]."),
        ("Saludos,\nLaura Martínez", "Saludos,\n[NAME]"),
        ("Hablé con Santiago Pérez ayer.", "Hablé con [NAME] ayer."),
    ],
)
def test_names_and_addresses_in_free_text(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Vuelo a Santiago de Compostela, muy mal.",
        "El lunes Atención al Cliente no contestó.",
        "Soy cliente desde 2010 y estoy harto.",
        "Buen servicio en el hotel Plaza Mayor, 3 estrellas.",
        "I'm very upset with Customer Service.",
        "We stayed 2 nights near Victoria Station.",
        "My postcode is SW1A 1AA.",
    ],
)
def test_words_that_look_like_names_or_addresses_stay(text: str) -> None:
    assert redact(text) == text
