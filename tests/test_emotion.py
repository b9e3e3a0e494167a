from escucha.models import EMOTIONS
from escucha.pipeline.base import Doc, Sentence
from escucha.pipeline.emotion import EmotionAnalyzer, lexicon_size


def doc(text: str, sentiment: str = "unknown", score: float = 0.0, lang: str = "es") -> Doc:
    d = Doc(text=text, language=lang, sentiment=sentiment, sentiment_score=score)
    d.sentences = [Sentence(text, 0, len(text), sentiment=sentiment, sentiment_score=score)] if text else []
    EmotionAnalyzer()([d])
    return d


def test_lexicon_is_large_enough():
    assert lexicon_size() > 500


def test_spanish_anger_with_shouting():
    d = doc("Estoy INDIGNADO, es una ESTAFA!!! Harto de esta compañía.", "negative", -0.9)
    assert set(d.emotions) == set(EMOTIONS)
    assert max(d.emotions, key=d.emotions.get) == "anger"
    assert d.emotions["anger"] > 0.8 and d.emotions["joy"] == 0
    calm = doc("Estoy indignado con la compañía.", "negative", -0.6)
    assert d.extras["anger_intensity"] > calm.extras["anger_intensity"] > 0


def test_gratitude_and_joy_english():
    d = doc("Thank you so much, the crew was amazing 😍", "positive", 0.9, "en")
    assert d.emotions["trust"] > 0.5 and d.emotions["joy"] > 0.5
    assert d.emotions["anger"] == 0 and d.extras["anger_intensity"] == 0


def test_negation_flips_joy():
    d = doc("No me gustó nada la habitación", "negative", -0.5)
    assert d.emotions["joy"] == 0
    assert d.emotions["sadness"] > 0
    d2 = doc("No estoy enfadado, solo cansado", "neutral", 0.0)
    assert d2.emotions["anger"] < 0.2


def test_consistency_with_sentiment():
    neg_ctx = doc("Genial, otra vez el vuelo retrasado", "negative", -0.7)
    pos_ctx = doc("Genial, el vuelo llegó antes", "positive", 0.8)
    assert neg_ctx.emotions["joy"] < pos_ctx.emotions["joy"]


def test_disgust_hotel_and_mixed_language():
    d = doc("La habitación tenía cucarachas, que asco. Disgusting!", "negative", -0.8)
    assert d.emotions["disgust"] > 0.6


def test_empty_text():
    d = doc("")
    assert all(v == 0 for v in d.emotions.values())
    assert d.extras["anger_intensity"] == 0
