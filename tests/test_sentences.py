"""Sentence splitting: abbreviations, ¿…?/¡…!, ellipses, emojis, line breaks, speakers, caps."""

from __future__ import annotations

from escucha.pipeline import Doc, create
from escucha.pipeline.sentences import split_sentences


def texts(text: str, **kw: int) -> list[str]:
    out = split_sentences(text, **kw)
    assert all(text[s.start : s.end] == s.text for s in out)  # offsets index Doc.text
    return [s.text for s in out]


def test_spanish_abbreviations_and_questions() -> None:
    t = "Hola. El Sr. García y la Dra. Ruiz me atendieron, p.ej. con la maleta. ¿Volveré? ¡Claro que sí!"
    assert texts(t) == [
        "Hola.",
        "El Sr. García y la Dra. Ruiz me atendieron, p.ej. con la maleta.",
        "¿Volveré?",
        "¡Claro que sí!",
    ]


def test_english_abbreviations_and_initials() -> None:
    t = "I met Mr. Smith at 5 p.m. yesterday. He was rude!!! J. K. Rowling, e.g. a writer, agreed."
    assert texts(t) == [
        "I met Mr. Smith at 5 p.m. yesterday.",
        "He was rude!!!",
        "J. K. Rowling, e.g. a writer, agreed.",
    ]


def test_etc_ends_a_sentence_before_a_capital() -> None:
    assert texts("Camisas, pantalones, etc. Luego me fui.") == ["Camisas, pantalones, etc.", "Luego me fui."]


def test_ellipses_emojis_and_line_breaks() -> None:
    assert texts("Esperé dos horas... nadie vino. Al final me fui 😡 Nunca más") == [
        "Esperé dos horas... nadie vino.",
        "Al final me fui 😡",
        "Nunca más",
    ]
    assert texts("línea uno\nlínea dos sin punto\n\nOtra") == ["línea uno", "línea dos sin punto", "Otra"]
    assert texts("el precio es 3.5 euros. ok") == ["el precio es 3.5 euros.", "ok"]


def test_speaker_turns_are_kept() -> None:
    t = (
        "Agente: Buenos días, ¿en qué le puedo ayudar? Cliente: Tengo un problema. No funciona.\n"
        "[00:01] Agent: Let me check.\n[00:05] Customer: Thanks!"
    )
    got = [(s.text, s.speaker) for s in split_sentences(t)]
    assert got == [
        ("Buenos días, ¿en qué le puedo ayudar?", "agent"),
        ("Tengo un problema.", "customer"),
        ("No funciona.", "customer"),
        ("Let me check.", "agent"),
        ("Thanks!", "customer"),
    ]


def test_empty_and_long_texts() -> None:
    assert split_sentences("   ") == []
    big = " ".join(f"Frase número {i}." for i in range(1000))
    out = split_sentences(big, max_sentences=50)
    assert len(out) == 50 and out[-1].end == len(big)
    nopunct = "palabra " * 1000
    assert all(len(s) <= 300 for s in texts(nopunct, max_chars=300))


def test_analyser_assigns_sentences() -> None:
    docs = [Doc(text="Muy bien. Gracias!"), Doc(text="")]
    create("sentences")(docs)
    assert [s.text for s in docs[0].sentences] == ["Muy bien.", "Gracias!"]
    assert docs[1].sentences == []
