from __future__ import annotations

from app.extractive import analyse
from app.extractive.ranking import POOL, rank_sentences
from tests.fixtures.samples import huge_text, read


def test_scores_favour_sentences_that_carry_key_terms() -> None:
    analysis = analyse(read("photosynthesis"))
    best = max(range(len(analysis.sentences)), key=lambda i: analysis.scores[i])
    worst = min(range(len(analysis.sentences)), key=lambda i: analysis.scores[i])
    assert analysis.by_key["photosynthesis"].key in analysis.mentions[best] or analysis.mentions[best]
    assert len(analysis.mentions[worst]) < len(analysis.mentions[best])


def test_fragments_and_lead_ins_score_below_the_statements_they_introduce() -> None:
    sentences = [
        "Photosynthesis makes sugar from carbon dioxide and water in the chloroplast.",
        "The stages are:",
        "Carbon dioxide enters the leaf through stomata on the underside of the leaf.",
    ]
    mentions = [["photosynthesis", "carbon dioxide"], ["stage"], ["carbon dioxide", "stoma"]]
    scores = {"photosynthesis": 3.0, "carbon dioxide": 4.0, "stage": 1.0, "stoma": 2.0}
    ranked = rank_sentences(sentences, [0, 0, 0], mentions, scores)
    assert ranked[1] < ranked[0]
    assert ranked[1] < ranked[2]


def test_a_very_long_text_is_scored_with_centrality_for_a_bounded_pool() -> None:
    analysis = analyse(huge_text())
    assert len(analysis.sentences) > POOL
    assert len(analysis.scores) == len(analysis.sentences)
    assert all(score >= 0 for score in analysis.scores)


def test_no_sentences_no_scores() -> None:
    assert rank_sentences([], [], [], {}) == []
