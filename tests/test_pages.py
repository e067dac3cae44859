"""Page generation: the same pages whether made in one process, in several, or partly from a preview's memo."""

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


def _pages_with_memo(tree, memo, catalogue_memo):
    cat, _ = catalogue.build(loading.load(tree), memo=catalogue_memo)
    return pages.generate(cat, memo=memo)


def _fresh_pages(tree):
    """The same pages made with no memo at all: what a preview must show."""
    return pages.generate(catalogue.build(loading.load(tree))[0])


def test_preview_remakes_only_the_page_of_a_record_whose_body_changed(tree, monkeypatch):
    memo, catalogue_memo = pages.Memo(), {}
    _pages_with_memo(tree, memo, catalogue_memo)
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text() + "\nParagraphe ajouté ; Paul SECRET y est nommé.\n")
    made: list[str] = []
    real = pages.Renderer.record
    monkeypatch.setattr(pages.Renderer, "record", lambda self, entry: made.append(entry.id) or real(self, entry))
    remembered = _pages_with_memo(tree, memo, catalogue_memo)
    assert made == ["2022-03-01-reunion-test"]
    assert remembered == _fresh_pages(tree)
    page = next(p for p in remembered if p.src_uri == "reunions/2022-03-01-reunion-test.md")
    assert "Paragraphe ajouté" in page.markdown and "SECRET" not in page.markdown  # redacted, memo or not


def test_preview_remakes_every_page_when_front_matter_or_registry_changes(tree):
    memo, catalogue_memo = pages.Memo(), {}
    _pages_with_memo(tree, memo, catalogue_memo)
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text().replace("titre: Réunion de test du réseau", "titre: Réunion renommée"))
    remembered = _pages_with_memo(tree, memo, catalogue_memo)
    assert remembered == _fresh_pages(tree)
    assert any("Réunion renommée" in p.markdown for p in remembered if not p.searchable)  # lists show the new title
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text().replace("consentement_publication: true", "consentement_publication: false", 1))
    remembered = _pages_with_memo(tree, memo, catalogue_memo)
    assert remembered == _fresh_pages(tree)
    assert not any("MARTIN" in p.markdown for p in remembered)
