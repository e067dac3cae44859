"""Page generation: the same pages whether made in one process or several."""

from __future__ import annotations

from conftest import CONTENT

from irev import catalogue, loading, pages


def test_parallel_generation_gives_the_same_pages(monkeypatch):
    cat, _ = catalogue.build(loading.load(CONTENT))
    serial = pages.generate(cat, workers=1)
    monkeypatch.setattr(pages, "PARALLEL_FROM", 0)
    parallel = pages.generate(cat, workers=2)
    assert parallel == serial
    assert {p.src_uri for p in serial} >= {"reunions/2022-06-22-reseau-lcd.md", "territoires/index.md",
                                           "personnes/karima-elkhadiri.md", "thematiques/discriminations.md"}
