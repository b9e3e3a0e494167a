"""Our hand-written Spanish/English polarity lexicon with negation, intensifiers and "but".

Valences run from -3 to +3 (unaccented lower-case keys; a few two-word phrases). The scorer is
VADER-like: a negator within three words before a cue flips and damps it (Spanish negative
concord "no está nada mal" flips once, so it is positive), intensifiers scale it, the clause
after "pero"/"but" weighs more, and ``!`` amplifies; a wish is not praise ("estaría bien que...",
"it would be great if..."). ``score`` is squashed into [-1, 1].
Written by the escucha contributors (Apache-2.0); no third-party lexicon was copied.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from escucha.nlp.textnorm import NEGATORS, clause_tokens, strip_accents

_POS_ES = """
inmaculado:3 inmaculada:3 impoluto:3 impoluta:3 spotless:3 immaculate:3 impeccable:3 cozy:2 cosy:2
bueno:2 buena:2 buenos:2 buenas:1 bien:1.5 genial:3 excelente:3 excelentes:3 perfecto:3
perfecta:3 maravilloso:3 maravillosa:3 maravilla:3 fantastico:3 fantastica:3 estupendo:3
estupenda:3 increible:2.5 magnifico:3 magnifica:3 espectacular:3 encanta:3 encanto:3
encantado:2.5 encantada:2.5 encantador:2.5 encantadora:2.5 amable:2 amables:2 atento:2
atenta:2 atentos:2 atentas:2 limpio:1.5 limpia:1.5 limpios:1.5 comodo:2 comoda:2 comodos:2
rapido:1.5 rapida:1.5 rapidez:1.5 eficiente:2 eficaz:2 recomiendo:2.5 recomendable:2.5
recomendado:2 agradable:2 agradables:2 gracias:1.5 agradecido:2 agradecida:2 agradezco:2
feliz:2.5 contento:2.5 contenta:2.5 satisfecho:2.5 satisfecha:2.5 mejor:1.5 mejores:1.5
lindo:2 linda:2 bonito:2 bonita:2 hermoso:2.5 hermosa:2.5 precioso:2.5 preciosa:2.5
delicioso:2.5 deliciosa:2.5 rico:1.5 rica:1.5 sabroso:2 sabrosa:2 gusta:2 gusto:1.5
gustaron:2 gusto_mucho:2 ideal:2 top:2 crack:2 joya:2.5 brutal:1.5 chulo:2 guay:2 buenisimo:3
buenisima:3 genialidad:2.5 impecable:3 impecables:3 profesional:2 profesionales:2
puntual:2 facil:1.5 solucionado:2 resuelto:2 resolvieron:2 ayudaron:1.5 util:1.5
volveria:2.5 volveremos:2.5 volvere:2 repetiria:2.5 disfrutamos:2.5 disfrute:2 relax:1.5
tranquilo:1.5 tranquila:1.5 acogedor:2 acogedora:2 calidad:0.5 barato:1 economico:1
amabilidad:2 simpatico:2 simpatica:2 simpaticos:2 gentil:2 inmejorable:3 fenomenal:3
sobresaliente:3 acierto:2 recomendacion:1 amor:2 amo:2.5 adoro:3 felicidades:2.5 felicito:2.5
exito:2 agil:1.5 seguro:1 confiable:2 funciona:1 funciono:1 vale_la_pena:2.5
de_maravilla:3 sin_problemas:2 nada_mal:2 ninguna_queja:2 sin_quejas:2
recomendadisimo:3 recomendadisima:3 servicial:2 serviciales:2 cordial:1.5 cordiales:1.5
educado:1.5 educada:1.5 educados:1.5 correcto:1 correcta:1 aceptable:0.5 limpisimo:3 limpisima:3
espacioso:1.5 espaciosa:1.5 amplio:1 amplia:1 luminoso:1.5 luminosa:1.5 asequible:1.5 baratos:1
baratas:1 barata:1 sabrosos:2 sabrosas:2 deliciosos:2.5 deliciosas:2.5 exquisito:3 exquisita:3
riquisimo:3 riquisima:3 delicia:3 encantadores:2.5 encantadoras:2.5 amabilisimo:3 amabilisima:3
amabilisimos:3 inolvidable:3 paraiso:2.5 espectaculares:3 fantasticos:3 fantasticas:3
increibles:2.5 maravillosos:3 maravillosas:3 perfectos:3 perfectas:3 atentisimo:3 atentisima:3
rapidisimo:2.5 rapidisima:2.5 puntuales:2 eficientes:2 excepcional:3 estupendos:3 estupendas:3
geniales:3 contentos:2.5 contentas:2.5 satisfechos:2.5 satisfechas:2.5 agradecidos:2 agradecidas:2
"""
_NEG_ES = """
mugriento:-3 mugrienta:-3 cochambroso:-3 cochambrosa:-3 maloliente:-2.5 apestoso:-2.5 apestosa:-2.5
apesta:-2.5 patetico:-3 patetica:-3 ridiculo:-2.5 ridicula:-2.5 calvario:-3 odisea:-2 infierno:-3
tomadura:-2.5
malo:-2 mala:-2 malos:-2 malas:-2 mal:-2 pesimo:-3 pesima:-3 horrible:-3 horribles:-3
terrible:-3 terribles:-3 fatal:-3 desastre:-3 desastroso:-3 asco:-3 asqueroso:-3
asquerosa:-3 sucio:-2 sucia:-2 sucios:-2 sucias:-2 lento:-1.5 lenta:-1.5 lentitud:-2
tarde:-1 retraso:-2 retrasado:-2 retrasos:-2 demora:-2 demoras:-2 cancelado:-2
cancelaron:-2 perdieron:-2 perdido:-1.5 perdida:-1.5 roto:-2 rota:-2 estafa:-3 estafadores:-3
robo:-3 ladrones:-3 engano:-2.5 enganado:-2.5 mentira:-2.5 mentiras:-2.5 decepcion:-2.5
decepcionado:-2.5 decepcionada:-2.5 decepcionante:-2.5 decepciono:-2.5 queja:-2 quejas:-2
reclamo:-1.5 reclamacion:-1.5 problema:-1.5 problemas:-1.5 averia:-2 fallo:-2 falla:-2
fallan:-2 error:-1.5 errores:-1.5 grosero:-2.5 grosera:-2.5 maleducado:-2.5 borde:-1.5
desagradable:-2.5 incomodo:-2 incomoda:-2 ruido:-1.5 ruidoso:-2 ruidosa:-2 caro:-1.5 cara:-0.5
carisimo:-2.5 abusivo:-2.5 inaceptable:-3 lamentable:-3 vergonzoso:-3 verguenza:-3
indignado:-3 indignada:-3 indignante:-3 harto:-2.5 harta:-2.5 enfadado:-2.5 enfadada:-2.5
molesto:-2 molesta:-2 triste:-2 peor:-2.5 peores:-2.5 nunca_mas:-2.5 odio:-3 odie:-3
detesto:-3 fraude:-3 basura:-3 porqueria:-3 mierda:-3 cutre:-2 regular:-0.5 mediocre:-2
deficiente:-2.5 insuficiente:-2 escaso:-1 escasa:-1 frio:-0.5 fria:-0.5 viejo:-1 vieja:-1
antiguo:-0.5 deteriorado:-2 cucarachas:-3 chinches:-3 humedad:-1.5 olor:-1 peste:-2.5
espera:-0.5 esperando:-1 nadie:-1 ignoraron:-2.5 ignoran:-2.5 ignoro:-2.5 ignorado:-2 ignorada:-2 ignorados:-2 cobraron:-1.5 cobro:-1
devolucion:-0.5 reembolso:-0.5 baja:-1 cancelar:-1 inutil:-2.5 inutiles:-2.5 incompetente:-3
incompetentes:-3 desastrosa:-3 penoso:-2.5 penosa:-2.5 cansado:-1.5 cansada:-1.5 fatales:-3
no_funciona:-2.5 no_sirve:-2.5 no_recomiendo:-3 para_nada:-1 tomadura_de_pelo:-3
no_llego:-2 no_llega:-2 nunca_llego:-2.5 sin_llegar:-2 llego_tarde:-2 llegaron_tarde:-2
ha_llegado:1 tardo:-1.5 tardaron:-1.5 tardasteis:-1.5 tardan:-1.5 prometian:-1.5 prometieron:-1.5
prometisteis:-1.5 no_cumplen:-2.5 no_cumplieron:-2.5 incumplido:-2.5 incumplimiento:-2.5
sin_respuesta:-2 no_contestan:-2 no_responden:-2 no_contesta:-2 ni_rastro:-2 retenido:-1.5
golpe:-1.5 golpeado:-2 golpeada:-2 defectuoso:-2.5 defectuosa:-2.5 danado:-2 danada:-2
rajado:-2 rajada:-2 equivocado:-2 equivocada:-2 faltaba:-1.5 faltaban:-1.5 faltan:-1.5
descuidado:-2 descuidada:-2 abandonado:-1.5 abandonada:-1.5 estropeado:-2 estropeada:-2
sucisimo:-3 sucisima:-3 pesimos:-3 pesimas:-3 malisimo:-3 malisima:-3 horroroso:-3 horrorosa:-3
insoportable:-3 caotico:-2 caotica:-2 decepcionantes:-2.5 desilusion:-2.5 arrepiento:-2.5
arrepentido:-2.5 arrepentida:-2.5 timo:-3 timado:-3 timada:-3 estafado:-3 estafada:-3 robaron:-2.5
abusan:-2.5 abuso:-2.5 carero:-2 maleducados:-2.5 maleducadas:-2.5 groseros:-2.5 groseras:-2.5
despreocupados:-2 desinteresados:-2 lentos:-1.5 lentas:-1.5 tardanza:-2 caducado:-2.5 caducada:-2.5
sobrevalorado:-2 sobrevalorada:-2 olvidaron:-1.5 extraviado:-2 extraviada:-2 equivocaron:-2
fallaron:-2 averiado:-2 averiada:-2 desesperante:-2.5 desesperado:-2.5 desesperada:-2.5
frustrante:-2.5 frustrado:-2.5 frustrada:-2.5 enojado:-2.5 enojada:-2.5 furioso:-3 furiosa:-3
cabreado:-2.5 cabreada:-2.5 indignacion:-3 vergonzosa:-3 chapuza:-2.5 chapucero:-2.5 chapucera:-2.5
sucios:-2 ruidosos:-2 ruidosas:-2 incomodos:-2 incomodas:-2 pesadilla:-3 nefasto:-3 nefasta:-3
desastrosos:-3 deplorable:-3 infumable:-3 cutres:-2 tacanos:-2 denunciar:-2 denunciare:-2.5
denunciaremos:-2.5 denunciarlos:-2.5 denunciaros:-2.5
preocupado:-1.5 preocupada:-1.5 preocupados:-1.5 preocupadas:-1.5 preocupa:-1.5 preocupante:-2
miedo:-2 asustado:-2 asustada:-2 angustiado:-2.5 angustiada:-2.5 agobiado:-2 agobiada:-2
nervioso:-1.5 nerviosa:-1.5 temo:-1.5
la_tarde:0 esta_tarde:0 las_tardes:0 cada_tarde:0
"""
_POS_EN = """
good:2 great:3 excellent:3 amazing:3 awesome:3 fantastic:3 wonderful:3 perfect:3 love:3
loved:3 loves:2.5 lovely:2.5 like:1 liked:1.5 nice:2 best:2.5 better:1.5 beautiful:2.5
gorgeous:3 pretty:1.5 cute:2 comfortable:2 comfy:2 soft:1 flattering:2.5 fits:0.5 fit:0.3
happy:2.5 glad:2 pleased:2 satisfied:2 thanks:1.5 thank:1.5 thx:1.5 appreciate:2
appreciated:2 helpful:2 friendly:2 kind:2 polite:2 fast:1.5 quick:1.5 quickly:1 easy:1.5
clean:1.5 recommend:2.5 recommended:2 fabulous:3 superb:3 brilliant:3 outstanding:3
impressive:2.5 impressed:2.5 enjoy:2 enjoyed:2 fun:2 cool:1.5 classy:2 elegant:2 stylish:2
favorite:2.5 favourite:2.5 win:1.5 smooth:1.5 seamless:2 professional:2 fine:1 ok:0.5
okay:0.5 solid:1.5 worth:1.5 gem:2.5 incredible:3 stunning:3 adorable:2.5 flawless:3
exceeded:2 exceptional:3 delightful:3 delicious:3 tasty:2 yummy:2.5 kudos:2.5 congrats:2
bravo:2.5 yay:2.5 lol:0.5 wow:1.5 superb:3 luckily:1 fixed:1.5 resolved:2 solved:2 safe:1
reliable:2 attentive:2 courteous:2 caring:2 generous:2 excited:2 exciting:2 beautifully:2.5
well:0.5 works:1 worked:1 thankful:2 grateful:2.5 top:1 rocks:2 legit:1.5 on_time:2
well_done:2.5 no_problem:1.5 not_bad:2 no_complaints:2 no_issues:1.5 cant_complain:1.5
"""
_NEG_EN = """
filthy:-3 gross:-2.5 nasty:-2.5 moldy:-2.5 mouldy:-2.5 stained:-2 unprofessional:-2.5 appalling:-3
atrocious:-3 dreadful:-3 abysmal:-3 shocking:-2.5 shambles:-3 faulty:-2 worthless:-2.5 horrid:-3
cramped:-1.5
bad:-2 terrible:-3 horrible:-3 awful:-3 worst:-3 worse:-2.5 poor:-2 poorly:-2 hate:-3
hated:-3 disappointed:-2.5 disappointing:-2.5 disappointment:-2.5 rude:-2.5 unhelpful:-2.5
useless:-2.5 delayed:-2 delay:-2 delays:-2 late:-1.5 cancelled:-2 canceled:-2 cancel:-1
lost:-1.5 broken:-2 broke:-1.5 damaged:-2 dirty:-2 ugly:-2.5 cheap:-1 cheaply:-1.5 flimsy:-2
scratchy:-2 itchy:-2 tight:-0.5 small:-0.3 unflattering:-2.5 returned:-1.5 returning:-1.5
return:-0.5 refund:-0.5 waste:-2.5 wasted:-2.5 wrong:-1.5 problem:-1.5 problems:-1.5
issue:-1 issues:-1 fail:-2 failed:-2 fails:-2 failure:-2 sucks:-3 suck:-3 crap:-3 shit:-3
stupid:-2.5 ridiculous:-2.5 unacceptable:-3 pathetic:-3 angry:-2.5 annoyed:-2 annoying:-2
frustrated:-2.5 frustrating:-2.5 upset:-2 sad:-2 unhappy:-2.5 mad:-2 furious:-3 disgusting:-3
disgusted:-3 nightmare:-3 scam:-3 fraud:-3 stuck:-1.5 stranded:-2.5 waiting:-1 wait:-0.5
hold:-0.5 ignored:-2.5 never:-0.5 nobody:-1 complaint:-2 complain:-2 mess:-2 messed:-2
fiasco:-3 rip:-1 ripoff:-3 overpriced:-2 expensive:-1 uncomfortable:-2 noisy:-1.5 smelly:-2
slow:-1.5 incompetent:-3 lie:-2 lied:-2.5 lies:-2 liar:-3 hassle:-2 hours:-0.5 missed:-1.5
misconnect:-2 rebooked:-1 shame:-2 shameful:-3 sorry:-0.5 unfortunately:-1.5 sadly:-1.5
meh:-1 boring:-1.5 mediocre:-2 lacking:-1.5 bummer:-2 fuck:-3 fucking:-2 wtf:-2.5 smh:-2
ugh:-2 fml:-2.5 poorly_made:-2.5 not_worth:-2 never_again:-3 no_one:-1.5 customer_service:0
worried:-1.5 worrying:-2 scared:-2 anxious:-1.5 nervous:-1.5 frightened:-2 terrified:-2.5
panicking:-2.5 stressed:-1.5 stressful:-2
crash:-2 crashes:-2 crashing:-2 crashed:-2 freezes:-1.5 froze:-1.5 glitch:-1.5 glitches:-1.5
glitchy:-2 buggy:-2 laggy:-2 unusable:-3 unresponsive:-2
"""
_EMOJI = {
    "😍": 3, "🥰": 3, "❤": 2.5, "❤️": 2.5, "😊": 2, "🙂": 1, "😀": 2, "😃": 2, "😄": 2,
    "😁": 2, "👍": 2, "👏": 2, "🙌": 2, "💯": 2, "🔥": 1, "😎": 1.5, "✨": 1, "🎉": 2,
    "😂": 0.5, "🤣": 0.5, "😘": 2, "💕": 2.5, "💖": 2.5, "⭐": 1.5, "🌟": 1.5, "🙏": 1,
    "😡": -3, "🤬": -3, "😠": -2.5, "😤": -2, "😞": -2, "😢": -2, "😭": -2, "😩": -2,
    "😫": -2, "😒": -1.5, "🙄": -1.5, "👎": -2.5, "💩": -2.5, "🤮": -3, "🤢": -2.5,
    "😔": -1.5, "😕": -1, "😟": -1.5, "😱": -1.5, "💔": -2.5, "😓": -1.5,
    ":)": 1.5, ":-)": 1.5, ":D": 2, ";)": 1, ":(": -2, ":-(": -2, ":/": -1,
}
INTENSIFIERS: dict[str, float] = {
    "muy": 1.4, "mucho": 1.3, "mucha": 1.3, "super": 1.5, "súper": 1.5, "tan": 1.3,
    "bastante": 1.2, "demasiado": 1.3, "sumamente": 1.5, "realmente": 1.3, "totalmente": 1.4,
    "absolutamente": 1.5, "increiblemente": 1.5, "re": 1.3, "mega": 1.5, "extremadamente": 1.6,
    "very": 1.4, "really": 1.3, "so": 1.3, "extremely": 1.6, "incredibly": 1.5, "totally": 1.4,
    "absolutely": 1.5, "super_": 1.5, "too": 1.2, "truly": 1.3, "highly": 1.4, "quite": 1.1,
    "most": 1.3, "such": 1.2, "way": 1.2, "soo": 1.5, "sooo": 1.6,
    "poco": 0.5, "algo": 0.7, "un_poco": 0.6, "ligeramente": 0.6, "slightly": 0.6,
    "somewhat": 0.7, "kinda": 0.7, "little": 0.7, "bit": 0.7, "barely": 0.4, "apenas": 0.5,
}
_BUT = frozenset({"pero", "but", "however", "sin_embargo"})
# A concession ("…, aunque la playa es bonita", "although the beach was nice, …") weighs less than
# the clause it concedes to: "La peor experiencia, aunque la playa es bonita" is negative.
_CONCESSIVE = frozenset({"aunque", "although", "though", "si_bien", "a_pesar"})
# "Estaría bien que abrieran los sábados", "it would be great if you added Apple Pay": a wish,
# not praise. A positive cue after a conditional and before "que"/"si"/"if"/"to" counts nothing.
_CONDITIONAL = frozenset({"seria", "estaria", "serian", "fuera", "would", "it'd", "itd", "wouldn't"})
_WISH_TAIL = frozenset({"que", "si", "if", "to", "tener", "poder", "contar"})


def _parse(*blocks: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for block in blocks:
        for item in block.split():
            word, val = item.rsplit(":", 1)
            out[word.replace("_", " ")] = float(val)
    return out


LEXICON: dict[str, float] = _parse(_POS_ES, _NEG_ES, _POS_EN, _NEG_EN)
LEXICON.update({k: float(v) for k, v in _EMOJI.items()})
_TRAILING = re.compile(r"(\w)\1+$")
_DOUBLE = re.compile(r"([^lrc\W])\1")
# Phrases that carry their own negation: a negator before them does not flip them again
# ("no está nada mal" is positive, like "nada mal").
_PHRASE_NEGATORS = {
    "no funciona", "no sirve", "no recomiendo", "nunca mas", "never again", "no one", "not worth",
    "nada mal", "not bad", "no problem", "no complaints", "no issues", "ninguna queja",
    "sin quejas", "sin problemas", "cant complain",
    "no llego", "no llega", "nunca llego", "sin llegar", "no cumplen", "no cumplieron",
    "no contestan", "no responden", "no contesta",
}


@dataclass(slots=True)
class LexiconScore:
    score: float  # in [-1, 1]
    hits: int
    raw: float


@lru_cache(maxsize=65_536)
def _valence(tok: str) -> float | None:
    v = LEXICON.get(tok)
    if v is None:
        base = strip_accents(tok)
        v = LEXICON.get(base)
        if v is None and len(base) > 3:
            # elongations were squeezed to two letters; try one ("buenoo" -> "bueno")
            v = LEXICON.get(_TRAILING.sub(r"\1", base))
            if v is None:
                v = LEXICON.get(_DOUBLE.sub(r"\1", base))
    return v


_PUNCT = frozenset({".", ",", ";", "!", "?"})
_TAILS = frozenset({"at all", "en absoluto", "para nada"})
_FIRST = frozenset(k.split(" ", 1)[0] for k in LEXICON if " " in k)


def _wish(lows: list[str], i: int) -> bool:
    """Whether the cue at ``i`` follows a conditional: "seria/estaria <cue>", "would be <cue>",
    "would be really <cue>"."""
    before = [w for w in lows[max(0, i - 4) : i] if w not in INTENSIFIERS]
    if before and before[-1] in _CONDITIONAL:
        return True
    return len(before) >= 2 and before[-1] == "be" and before[-2] in _CONDITIONAL


def score_text(text: str, normalized: bool = False) -> LexiconScore:
    """Polarity of ``text`` from the lexicon: ``score`` in [-1, 1] and how many cues were seen."""
    return score_tokens([strip_accents(t) for t in clause_tokens(text, normalized)])


def score_tokens(lows: list[str]) -> LexiconScore:
    """:func:`score_text` of a text's unaccented clause tokens
    (:func:`escucha.nlp.textnorm.unaccented_tokens`)."""
    toks = lows
    hits = 0
    weight = 1.0
    i = 0
    n = len(toks)
    contrib: list[float] = []
    conceding = False
    while i < n:
        low = lows[i]
        if low in _CONCESSIVE:
            conceding = True
            weight = 0.5
            i += 1
            continue
        if conceding and low in _PUNCT:
            # the end of the concession: a main clause after a comma counts more, a new sentence as usual
            conceding = False
            weight = 1.3 if low == "," else 1.0
            i += 1
            continue
        if low in _BUT:
            # What comes after "but" counts more than what came before.
            contrib = [c * 0.6 for c in contrib]
            weight = 1.4
            i += 1
            continue
        v = None
        step = 1
        pair = ""
        if low in _FIRST and i + 1 < n:
            pair = f"{low} {lows[i + 1]}"
            v = LEXICON.get(pair)
            if v is not None:
                step = 2
        if v is None:
            v = LEXICON.get(low)
            if v is None and low.isalpha() and len(low) > 3:
                v = _valence(low)
        if not v:
            i += step
            continue
        if v > 0 and i + step < n and lows[i + step] in _WISH_TAIL and _wish(lows, i):
            i += step
            continue
        window = lows[max(0, i - 3) : i]
        for k in range(len(window) - 1, -1, -1):  # the window stops at punctuation
            if window[k] in _PUNCT:
                window = window[k + 1 :]
                break
        if (step == 1 or pair not in _PHRASE_NEGATORS) and any(
            w in NEGATORS or w.endswith("n't") for w in window
        ):
            v = -v * (0.75 if v < 0 else 0.6)
        for w in window[-2:]:
            mult = INTENSIFIERS.get(w)
            if mult:
                v *= mult
        # "not bad at all", "nada mal en absoluto": an emphatic tail strengthens the cue.
        if i + step + 1 < n and f"{lows[i + step]} {lows[i + step + 1]}" in _TAILS:
            v *= 1.5
        # "!" after the cue in the same clause amplifies it.
        for j in range(i + step, min(n, i + step + 4)):
            if toks[j] in {".", ",", ";"}:
                break
            if toks[j] == "!":
                v *= 1.15
                break
        contrib.append(v * weight)
        hits += 1
        i += step
    total = sum(contrib)
    return LexiconScore(score=total / math.sqrt(total * total + 6.0), hits=hits, raw=total)
