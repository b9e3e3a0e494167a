from pathlib import Path

import pytest

from escucha.errors import ConfigError
from escucha.nlp.rules import RuleSet, load_rules


def test_add_block_precedence():
    rs = RuleSet.from_data({"rules": [
        {"label": "churn_threat", "terms": {"es": ["me cambio a movistar"], "en": ["port my number"]}},
        {"label": "churn_threat", "action": "block", "terms": ["es broma"]},
        {"label": "praise", "action": "block", "terms": ["re:\\bgracias por nada\\b"]},
    ]})
    labels, scores, _ = rs.apply_labels({"praise": 0.9}, "Me cambio a Movistar")
    assert "churn_threat" in labels and scores["churn_threat"] == 1.0
    labels, _, _ = rs.apply_labels({}, "Me cambio a Movistar, es broma")
    assert "churn_threat" not in labels  # block beats add
    labels, scores, _ = rs.apply_labels({"praise": 0.9}, "Gracias por nada")
    assert "praise" not in labels and scores["praise"] == 0.0  # rule beats model


def test_language_scoped_rule():
    rs = RuleSet.from_data([{"label": "complaint", "terms": ["fatal"], "language": "es"}])
    assert rs.find("fatal", "es") and not rs.find("fatal", "en")


def test_errors_name_file_and_field(tmp_path: Path):
    p = tmp_path / "rules.yaml"
    p.write_text("rules:\n  - {label: churn, terms: [x]}\n")
    with pytest.raises(ConfigError, match=r"rules.yaml: rules\[0\].label"):
        load_rules(p)
    p.write_text("rules:\n  - {label: complaint, action: maybe, terms: [x]}\n")
    with pytest.raises(ConfigError, match="action"):
        load_rules(p)
    p.write_text("rules:\n  - {label: complaint, terms: []}\n")
    with pytest.raises(ConfigError, match="terms"):
        load_rules(p)
    assert not load_rules(tmp_path / "absent.yaml")
