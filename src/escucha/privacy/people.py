"""People's names and postal addresses in free text (precision first: a cue or a known given name).

A name is one to four capitalised words (with particles such as "de la", "van") that follow a cue
("me llamo", "my name is", "la agente", "Sr.", "atendido por", a letter's closing such as
"Saludos,") or that start with a common given name and go on with a surname ("Ana García"). A
sentence-initial given name alone ("Ana") is not taken without a cue: too many are also words.
An address is a street type with its name and number ("C/ Alcalá 45, 3º B", "Avenida de la Paz
12", "221B Baker Street", "12 Main St. Apt 4"). Detectors yield ``(start, end, tag)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GIVEN = _words("""
aaron abel adela adolfo adrian adriana agustin agustina aitana aitor alba alberto alejandra alejandro
alex alexander alfonso alfredo alicia alma alonso alvaro amanda amelia amparo ana andrea andres
andrew angel angela angeles anna anne antonia antonio ariadna arturo aurora barbara beatriz belen
ben benjamin bernardo blanca borja brian bruno camila carla carlos carmen carolina catalina cecilia
celia charles charlotte chloe chris christian christopher claudia clara concepcion consuelo cristian
cristina cristobal daniel daniela david debora diana diego dolores domingo dylan eduardo elena elias
elisa elizabeth elsa emilia emilio emily emma enrique eric ernesto esperanza esteban estefania ester
esther eugenia eva fabian fatima federico felipe fernanda fernando francisca francisco gabriel
gabriela gema george gerardo german gloria gonzalo gregorio guadalupe guillermo gustavo hector
helena hugo ignacio ines irene isaac isabel isabella ismael ivan jack jacob jaime james jane javier
jennifer jesus jessica joan joaquin john jonathan jordi jorge jose josefa joseph josh joshua juan
juana julia julian julio karen laura leire leonardo leticia liam lidia lola lorena lorenzo lucas
lucia luis luisa luz manuel manuela marc marcela marco marcos margarita maria mariana marina mario
marisa marta martin martina mateo matthew mauricio mercedes michael miguel miriam mohamed monica
montserrat nacho natalia nerea nicolas noah noelia nora norma nuria octavio olga olivia oliver
oscar pablo paola patricia paula pedro pilar rafael ramiro ramon raquel raul rebeca ricardo roberto
rocio rodrigo rosa rosario ruben sandra santiago sara sarah sebastian sergio silvia sofia sonia
sophia susana teresa thomas tomas valentina valeria vanesa veronica vicente victor victoria
virginia william xavier yolanda
adam alan albert alice amy andy anthony ashley bill bob brenda carl carol chad charlie chuck
cindy craig dan dave dennis donna doug ed emma eric frank fred gary greg hannah harry heather
helen henry holly jake jason jeff jenny jerry jessie jill jim jimmy joe josephine judy karl kate
kathy keith kelly ken kevin kim larry lauren linda lisa lori mandy maria mark mary matt megan
melissa mike nancy nick nicole pam pat paul peter phil rachel ray rebecca rich rick rob robert
ron ronald ryan sam scott sean sharon steve steven stephanie sue susan ted tim tina todd tom
tony tracy walter wendy
""")
_NOT_NAMES = _words("""
lunes martes miércoles jueves viernes sábado domingo enero febrero marzo abril mayo junio julio
agosto septiembre octubre noviembre diciembre monday tuesday wednesday thursday friday saturday
sunday january february march april june august september october november december
atención cliente clientes servicio soporte customer service support team equipo departamento
hola gracias buenas buenos hello thanks thank dear estimado estimada querido querida saludos regards
sr sra señor señora mr mrs ms dr don doña usted ustedes vosotros nosotros they we you i he she
español española inglés inglesa english spanish american british french francés mexicano mexicana
cliente vip premium gold oro plata platinum
station airport hotel park center centre mall bank airlines airways air express street avenue road
plaza calle aeropuerto estación parque centro banco tienda store shop app web
""")
_PARTICLES = r"(?:de(?:l| la| los| las)?|da|do|dos|van|von|der|y|i|di|le|la)"
_WORD = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñüç]+(?:-[A-ZÁÉÍÓÚÑÜ][a-záéíóúñüç]+)?"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLES}\s+)?{_WORD}){{0,3}}"
_CUE = re.compile(
    r"(?:\b(?:me llamo|mi nombre es|my name is|name's|a nombre de|en nombre de|titular(?: es)?|"
    r"atendid[oa] por|me atendi[óo]|me atendieron|hablé con|hable con|spoke (?:to|with)|talked to|"
    r"served by|helped by|ask for|pregunta por|pregunten por|"
    r"(?:el|la|al|del) (?:agente|operador|operadora|asesor|asesora|gestor|gestora|comercial|"
    r"técnico|técnica|repartidor|repartidora|recepcionista|camarero|camarera|encargado|encargada|"
    r"dependiente|dependienta|compañer[oa])|"
    r"(?:agent|rep|representative|driver|manager|waiter|waitress|receptionist|clerk|"
    r"named|called)|"
    r"soy|i'?m|i am|this is|yo soy|les escribe|te escribe)\s+"
    r"|(?:\b(?:sr|sra|srta|dr|dra|mr|mrs|ms|miss|dña|dª|d)\.?\s+|\b(?:don|doña)\s+))",
    re.IGNORECASE,
)
_STRONG_CUES = ("llamo", "nombre", "name", "titular", "sr", "sra", "srta", "dr", "dra", "mr", "mrs",
                "ms", "miss", "dña", "dª", "don", "doña")
_CLOSING = re.compile(
    r"(?:^|\n)\s*(?:saludos(?: cordiales)?|un saludo|atentamente|cordialmente|gracias|"
    r"regards|best regards|kind regards|best|cheers|sincerely|thanks)[,.!]?\s*(?:\n\s*|,\s*|\s+-\s*)",
    re.IGNORECASE,
)
_NAME_RX = re.compile(_NAME)
_WORD_RX = re.compile(rf"(?<![\w@.]){_WORD}")
_GIVEN_RX: re.Pattern[str] | None = None


def _given_rx() -> re.Pattern[str]:
    """Capitalised given names, accented or not ("Raúl", "Raul"), as one alternation."""
    global _GIVEN_RX
    if _GIVEN_RX is None:
        _GIVEN_RX = re.compile(r"(?<![\w@.])(?:" + "|".join(
            sorted((n[0].upper() + _accent_class(n[1:]) for n in _GIVEN),
                   key=len, reverse=True)) + r")(?![\w])")
    return _GIVEN_RX


_ACCENTS = {"a": "[aá]", "e": "[eé]", "i": "[ií]", "o": "[oó]", "u": "[uúü]", "n": "[nñ]"}


def _accent_class(rest: str) -> str:
    return "".join(_ACCENTS.get(c, re.escape(c)) for c in rest)
_SURNAME = re.compile(rf"\s+((?:{_PARTICLES}\s+)?{_WORD}(?:\s+(?:{_PARTICLES}\s+)?{_WORD})?)")
_ALSO_PLACES = _words("santiago victoria florida lucia sofia paris austin jackson charlotte orlando "
                         "elizabeth georgia virginia carolina dolores mercedes regina alicante "
                         "valencia maria santa san jose")
_PLACE_WORDS = _words("a en de desde hasta hacia para por to in from at via vuelo flight")

_STREET_ES = (r"calle|c/|c\.|avda\.?|avenida|av\.|plaza|pza\.?|paseo|p[ºo]\.?|carrer|camino|"
              r"carretera|ctra\.?|ronda|travesía|travesia|glorieta|urbanización|urb\.|callejón|pasaje")
_ADDRESS_ES = re.compile(
    rf"(?<![\w/])(?i:{_STREET_ES})(?:\s+|(?<=[/.])\s*)(?:(?:{_PARTICLES}|el|los|las)\s+)?{_WORD}(?:\s+(?:(?:{_PARTICLES}|el|los|las)\s+)?{_WORD}){{0,4}}"
    r",?\s*(?:n[º°o]\.?\s*|número\s+)?\d{1,4}(?!\s*(?:estrellas|noches|días|dias|horas|minutos|personas|"
    r"euros|€|veces|años|meses|semanas|stars|nights|days|hours|minutes|people|times)\b)(?:\s*[A-Za-z](?!\w))?"
    r"(?:,?\s*(?i:\d{1,2}\s*[º°ªoa]\.?\s*(?:[A-Za-z](?!\w)|izq(?:da)?\.?|dcha\.?)?|bajo|ático|piso\s+\d+|puerta\s+\w+|esc(?:alera)?\.?\s*\w+))*"
    r"(?:,?\s*\d{5}(?:\s+" + _WORD + r")?)?",
)
_STREET_EN = r"(?i:street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|court|ct\.?|way|place|pl\.?|terrace|close)"
_ADDRESS_EN = re.compile(
    rf"(?<![\w-])\d{{1,5}}[A-Za-z]?\s+(?:{_WORD}\s+){{1,3}}(?:{_STREET_EN})(?![\w])"
    r"(?:,?\s*(?i:apt\.?|apartment|suite|unit|#)\s*\w+)?",
)


def _plain(word: str) -> str:
    return word.lower().translate(str.maketrans("áéíóúüñç", "aeiouunc"))


def _trim(name: str) -> str:
    """Drop trailing words that are not names (a weekday, 'Customer', a particle)."""
    words = name.split()
    while words and (words[-1].lower() in _NOT_NAMES or re.fullmatch(_PARTICLES, words[-1])):
        words.pop()
    return " ".join(words)


def names(text: str) -> Iterator[tuple[int, int, str]]:
    """Names after a cue, after a letter's closing, or given name + surname."""
    for m in _CUE.finditer(text):
        start = m.end()
        n = _NAME_RX.match(text, start)
        if not n:
            continue
        name = _trim(n.group(0))
        first = name.split()[0] if name else ""
        if not name or first.lower() in _NOT_NAMES:
            continue
        cue = m.group(0).strip().lower().rstrip(".").split()[-1]
        # a weak cue ("soy", "I'm", "agent") needs a known given name or a full name after it
        if cue not in _STRONG_CUES and _plain(first) not in _GIVEN and len(name.split()) < 2:
            continue
        if cue in ("soy", "i'm", "im", "am", "is") and _plain(first) not in _GIVEN:
            continue
        yield start, start + len(name), "NAME"
    for m in _CLOSING.finditer(text):
        n = _NAME_RX.match(text, m.end())
        if n and (name := _trim(n.group(0))) and _plain(name.split()[0]) in _GIVEN:
            yield m.end(), m.end() + len(name), "NAME"
    for m in _given_rx().finditer(text):
        before = text[max(0, m.start() - 8) : m.start()].split()
        if before and before[-1].lower() in _PLACE_WORDS and _plain(m.group(0)) in _ALSO_PLACES:
            continue  # "vuelo a Santiago de Chile"
        rest = _SURNAME.match(text, m.end())
        if not rest:
            continue
        surname = _trim(rest.group(1))
        head = surname.split()[0] if surname else ""
        if head and head.lower() not in _NOT_NAMES and _plain(head) not in _GIVEN:
            yield m.start(), rest.start(1) + len(surname), "NAME"


def addresses(text: str) -> Iterator[tuple[int, int, str]]:
    """Street addresses (Spanish street types before the name, English ones after)."""
    for rx in (_ADDRESS_ES, _ADDRESS_EN):
        for m in rx.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in " ,.":
                end -= 1
            yield m.start(), end, "ADDRESS"
