"""scripts/generate_corpus.py: a valid, realistic and reproducible content tree, never written over anything."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from irev import catalogue, loading, models

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_corpus.py"


def _script():
    spec = importlib.util.spec_from_file_location("generate_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module


generator = _script()


def generate(out: Path, records: int, seed: int = 1) -> Path:
    assert generator.main(["--records", str(records), "--out", str(out), "--seed", str(seed)]) == 0
    return out


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A 300-record tree, loaded and catalogued as the site build does."""
    root = generate(tmp_path_factory.mktemp("corpus") / "content", 300)
    content = loading.load(root)
    _, problems = catalogue.build(content, show_drafts=True)
    return root, content, problems


def test_tree_loads_without_any_error_or_warning(corpus):
    _, content, problems = corpus
    assert [str(p) for p in content.problems + problems] == []
    assert len(content.records) == 300


def test_record_types_in_the_stated_proportions(corpus):
    _, content, _ = corpus
    kinds = Counter(entry.kind for entry in content.records)
    for kind, share in (("reunion", 0.40), ("cycle", 0.15), ("plan", 0.15), ("fiche", 0.30)):
        assert abs(kinds[kind] / 300 - share) <= 0.03, kinds


def test_drafts_people_without_consent_and_mentions_exist(corpus):
    _, content, _ = corpus
    drafts = [e for e in content.records if e.model.statut == "brouillon"]
    assert 0 < len(drafts) < 300 * 0.06
    people = content.registries["personne"].values()
    assert any(not p.model.consentement_publication for p in people)
    assert any(p.model.autres_graphies for p in people)
    assert any("[[" in e.body for e in content.records)


def test_some_documents_are_hosted_each_by_one_record(corpus):
    root, content, _ = corpus
    hosted = [d.fichier for e in content.records for d in e.model.documents if d.fichier]
    assert 300 * 0.1 < len(hosted) == len(set(hosted))
    assert sorted(hosted) == sorted(p.relative_to(root / "pieces-jointes").as_posix()
                                    for p in (root / "pieces-jointes").rglob("*.pdf"))


def test_meeting_series_are_chained_both_ways(corpus):
    _, content, _ = corpus
    meetings = {e.id: e.model for e in content.records if e.kind == "reunion"}
    for ident, meeting in meetings.items():
        if meeting.suivante:
            following = meetings[meeting.suivante]
            assert following.precedente == ident and following.serie == meeting.serie
            assert following.sort_date() > meeting.sort_date()


def test_same_seed_same_bytes_other_seed_other_tree(tmp_path):
    first = files(generate(tmp_path / "a", 120, seed=7))
    second = files(generate(tmp_path / "b", 120, seed=7))
    other = files(generate(tmp_path / "c", 120, seed=8))
    assert first == second
    assert first != other


def test_refuses_a_non_empty_directory_and_leaves_it_untouched(tmp_path):
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "notes.md").write_text("à garder\n", encoding="utf-8")
    before = files(target)
    result = subprocess.run([sys.executable, str(SCRIPT), "--records", "10", "--out", str(target)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "erreur" in result.stderr and "vide" in result.stderr
    assert files(target) == before
    assert sorted(p.name for p in target.iterdir()) == ["notes.md"]


def test_partners_roles_steering_committees_and_former_names_are_all_exercised(corpus):
    _, content, _ = corpus
    records = [entry.model for entry in content.records]
    partners = [p for record in records for p in record.partenaires]
    assert {p.role for p in partners} == set(models.ORGANISATION_ROLES)
    assert any(p.nom for p in partners) and any(p.organisation for p in partners)
    assert any(isinstance(item, str) for entry in content.records for item in entry.parsed.data.get("partenaires", []))
    acting = [p for record in records for p in getattr(record, "intervenants", [])]
    acting += [p for record in records for i in getattr(record, "interventions", []) for p in i.intervenants]
    assert {p.role for p in acting} == set(models.PERSON_ROLES)
    assert {type(r).__name__ for r in records if getattr(r, "comite_pilotage", None)} == {"Cycle", "Plan"}
    assert any(o.model.anciens_noms for o in content.registries["organisation"].values())


def test_events_sessions_stages_and_guides_are_exercised(corpus):
    """Ateliers within regional days, sessions over two days, in several territories or not yet dated,
    every plan stage, guides with their sheets, twins, contacts and subtitles (issue 14)."""
    _, content, _ = corpus
    records = {e.id: e.model for e in content.records}
    ateliers = [m for m in records.values() if isinstance(getattr(m, "evenement_parent", None), str)]
    assert ateliers and all(m.type == "atelier" and records[m.evenement_parent].date == m.date for m in ateliers)
    sessions = [s for e in content.records if e.kind == "cycle" for p in e.model.phases for s in p.sessions]
    assert any(slot.date_fin for s in sessions for slot in s.creneaux)
    assert any(len({slot.territoire for slot in s.creneaux if slot.territoire}) > 1 for s in sessions)
    assert any(not s.creneaux for s in sessions)
    assert {m.etape for m in records.values() if hasattr(m, "etape")} == set(models.ETAPES)
    fiches = [m for m in records.values() if hasattr(m, "feuillets")]
    assert any(f.feuillets and any(sheet.page_fin for sheet in f.feuillets) for f in fiches)
    assert any(f.publie_avec in records for f in fiches)
    assert any(f.contact for f in fiches) and any(f.sous_titre for f in fiches)


def test_older_sources_forms_are_exercised(corpus):
    """Dates of every precision (a day without its year with the source's wording), parts of the day,
    meetings known without a record."""
    _, content, _ = corpus
    records = [e.model for e in content.records]
    key_dates = [d.date for m in records if kind_of(m) == "plan" for d in m.dates_cles]
    assert {"day", "month", "year", "yearless"} <= {precision(d) for d in key_dates}
    assert any(d.year is None and d.precision for d in key_dates)
    assert any(m.diagnostic and m.diagnostic.date and m.diagnostic.date.day is None for m in records if kind_of(m) == "plan")
    assert any(m.heure_debut in ("matin", "apres-midi", "journee", "soiree") for m in records if kind_of(m) == "reunion")
    slots = [slot for m in records if kind_of(m) == "cycle" for phase in m.phases for s in phase.sessions for slot in s.creneaux]
    assert any(slot.heure_debut in ("matin", "apres-midi", "journee") for slot in slots)
    references = {field: [getattr(m, field, None) for m in records] for field in ("precedente", "annonce_dans", "evenement_parent")}
    references["presentations"] = [p.reunion for m in records for p in getattr(m, "presentations", [])]
    for field, found in references.items():
        unrecorded = [ref for ref in found if ref is not None and not isinstance(ref, str)]
        assert unrecorded and all(ref.intitule and ref.date.month for ref in unrecorded), field
    people = content.registries["personne"].values()
    assert any(f.depuis and f.depuis.month is None for p in people for f in p.model.fonctions)


def kind_of(model) -> str:
    return type(model).KIND


def precision(date) -> str:
    return "yearless" if date.year is None else "day" if date.day else "month" if date.month else "year"
