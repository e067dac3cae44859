"""Cross-links on the real content: entity pages, backlinks, mentions, privacy and drafts."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import CONTENT, build_site, page_text, run, session_options, site_text, write


def test_territory_page_has_breadcrumb_children_organisations_and_records(real_site):
    text = page_text(real_site, "territoires/ca-de-lens-lievin")
    assert "Hauts-de-France › Pas-de-Calais › CA de Lens - Liévin" in text
    assert "EPCI Code officiel 246200364 (SIREN)" in text
    assert "Territoires rattachés Lens Liévin" in text
    assert "Communauté d'agglomération de Lens-Liévin (CALL)" in text
    assert "Réunions où ses organisations étaient représentées" in text
    assert "Réunion de réseau lutte contre les discriminations du 22 juin 2022" in text


def test_region_page_gathers_records_of_its_child_territories(real_site):
    text = page_text(real_site, "territoires/hauts-de-france")
    for title in ("Plan territorial de prévention et de lutte contre les discriminations",
                  "Réunion de réseau lutte contre les discriminations du 22 juin 2022"):
        assert title in text


def test_person_page_lists_functions_meetings_and_roles(real_site):
    text = page_text(real_site, "personnes/karima-elkhadiri")
    assert "Chargée de mission Pôle Prévention Discriminations" in text
    assert re.search(r"Chargée de mission IREV .* du 22 février 2022 au 22 juin 2022", text)
    assert "Réunions : présent" in text and "Contact Initier un plan de lutte contre les discriminations" in text


def test_person_who_changed_organisation_has_both_functions(real_site):
    text = page_text(real_site, "personnes/cindy-guillotte")
    assert "IREV" in text and "Ville de Dunkerque" in text


def test_organisation_page_lists_its_people_over_time(real_site):
    text = page_text(real_site, "organisations/call")
    assert "Alicia DE BASTIANI Responsable Habitat le 22 juin 2022" in text
    assert "Zaïna MESLIL Chargée de mission du 22 février 2022 au 22 juin 2022" in text
    assert "Territoire CA de Lens - Liévin" in text


def test_theme_page_shows_thesaurus_place_and_narrower_records(real_site):
    text = page_text(real_site, "thematiques/discriminations")
    assert "Thèmes plus précis" in text and "Discriminations dans le logement" in text
    assert "Plans territoriaux (" in text and "Réunions et rencontres (" in text
    narrower = page_text(real_site, "thematiques/discriminations-logement")
    assert "Thème plus large : Prévention et lutte contre les discriminations" in narrower


def test_directories_exist_and_link_entries(real_site):
    for section, entry in (("territoires", "CA de Lens - Liévin"), ("personnes", "Karima ELKHADIRI"),
                           ("organisations", "Défenseur des droits"), ("thematiques", "Égalité femmes-hommes")):
        assert entry in page_text(real_site, section), section


def test_record_page_links_its_entities_backlinks_and_series(real_site):
    html = (real_site / "reunions/2022-02-22-reseau-lcd/index.html").read_text()
    assert 'href="../../personnes/karima-elkhadiri/"' in html
    assert 'href="../../organisations/call/"' in html
    assert 'href="../../thematiques/evaluation/"' in html
    text = page_text(real_site, "reunions/2022-02-22-reseau-lcd")
    assert "Réunion suivante : Réunion de réseau lutte contre les discriminations du 22 juin 2022" in text
    cited = text[text.index("Cité dans"):]
    assert "Réunion de réseau lutte contre les discriminations du 22 juin 2022" in cited
    assert "Instruction des actions de la programmation au regard de l'égalité femmes-hommes" in cited
    assert "Ressources liées" in text


def test_mentions_render_as_links_and_count_as_backlinks(tree, tmp_path):
    path = tree / "meetings" / "2022-03-01-reunion-test.md"
    path.write_text(path.read_text().replace("Mot d'introduction de la réunion.",
                                             "Accueil par [[personne:ada-martin]] et [[personne:paul-secret]], "
                                             "voir [[cycle:2021-04-cycle-test|le cycle]] et [[theme:discriminations]]."))
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    html = (site / "reunions/2022-03-01-reunion-test/index.html").read_text()
    assert '<a href="../../personnes/ada-martin/">Ada MARTIN</a>' in html
    assert '<a href="../../cycles/2021-04-cycle-test/">le cycle</a>' in html
    assert '<a href="../../thematiques/discriminations/">Discriminations</a>' in html
    assert "une personne non nommée" in html
    assert "Cité dans Réunion de test du réseau" in page_text(site, "cycles/2021-04-cycle-test")


def test_a_sections_index_shows_each_summary_as_on_its_page(tree, tmp_path):
    """Its list is made apart from the page's Markdown (irev/pages.py, _summary_items): a summary's
    Markdown (core Markdown, as in feeds), mentions and escaping."""
    path = tree / "meetings" / "2022-03-01-reunion-test.md"
    path.write_text(path.read_text().replace(
        "resume: Une réunion pour les tests.",
        'resume: "Un *point* sur [[theme:discriminations]] avec [[personne:ada-martin]], [[personne:paul-secret]] '
        'et 1 < 2 & 3."'))
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    html = (site / "reunions/index.html").read_text()
    assert ('<li><a href="2022-03-01-reunion-test/">Réunion de test du réseau</a> — 1er mars 2022<br>\n'
            'Un <em>point</em> sur <a href="../thematiques/discriminations/">Discriminations</a> avec '
            '<a href="../personnes/ada-martin/">Ada MARTIN</a>, une personne non nommée et 1 &lt; 2 &amp; 3.'
            '</li>') in html


@pytest.mark.parametrize("summary", [
    "Une échelle en cinq niveaux :\n\n- découvrir\n- agir",  # a paragraph, then a list
    "- découvrir\n    - agir\n- évaluer",  # a nested list: a line « </ul> » would end the ready list
    "- découvrir\n- agir\n\nPour les entreprises.",  # a list, then a paragraph
    "Exemple :\n\n    niveau 1\n    niveau 2",  # a code block
])
def test_a_summary_written_in_blocks_keeps_its_sections_index_whole(tmp_path, summary):
    """Every record of the section listed at the top level, each year's heading outside any list."""
    from irev.site import Session
    tree = tmp_path / "content"
    shutil.copytree(CONTENT, tree)
    path = tree / "fiches/2022-echelle-de-maturite-concept-rse.md"
    text = re.sub(r"resume: >-\n(  .*\n)+", "resume: |-\n" + "".join(f"  {line}\n" for line in summary.split("\n")),
                  path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    session = Session()
    assert all(problem.warning for problem in session.prepare(session_options(tree, tmp_path / "cache")))
    session.make()
    html = session.html("fiches/index.md").html
    assert "IREVLISTE" not in html  # every list put back where it goes (irev/rendering.py)
    assert "découvrir" in html or "niveau 2" in html
    for year in ("2020", "2021", "2022"):
        before = html[:html.index(f'<h2 id="{year}">')]
        assert before.count("<ul") == before.count("</ul>"), f"« {year} » inside a list"
    for record in ("2020-testing-preuve-devant-le-juge-defenseur-des-droits", "2022-echelle-de-maturite-contrats-de-ville",
                   "2021-grille-marqueurs-efh-valenciennes-metropole", "2022-echelle-de-maturite-concept-rse"):
        assert f'href="{record}/"' in html


def test_unknown_mention_fails_the_build_with_file_and_line(tree, tmp_path):
    path = tree / "meetings" / "2022-03-01-reunion-test.md"
    path.write_text(path.read_text() + "\nSuite.\n\nVoir [[personne:ada-martn]] et [[personne Ada]].\n")
    result = build_site(tree, tmp_path / "site")
    assert result.returncode != 0
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "ada-martn" in text)
    assert f"meetings/2022-03-01-reunion-test.md:{line}: texte: personne inconnue « ada-martn »" in result.stderr
    assert "ada-martin" in result.stderr  # the hint
    assert f"2022-03-01-reunion-test.md:{line}: texte: mention mal formée « [[personne Ada]] »" in result.stderr


def test_withdrawn_consent_leaves_no_trace_of_the_name(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    people = content / "registre" / "personnes.yml"
    text = people.read_text()
    block = text.index("- id: karima-elkhadiri")
    end = text.index("consentement_publication: true", block)
    people.write_text(text[:end] + "consentement_publication: false" + text[end + len("consentement_publication: true"):])
    site = tmp_path / "site"
    result = build_site(content, site)
    assert result.returncode == 0, result.stderr
    texts = site_text(site)
    assert any("pagefind_dcd" in text for text in texts.values())  # the search index is searched too
    leaks = [name for name, text in texts.items() if re.search(r"elkhadiri|karima", text, re.IGNORECASE)]
    assert leaks == []
    assert not (site / "personnes" / "karima-elkhadiri").exists()


def test_a_draft_leaves_no_trace_in_the_public_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    write(content / "fiches" / "2023-fiche-confidentielle-zorglub.md",
          "---\ntitre: Projet Zorglub confidentiel\nstatut: brouillon\ntype: guide\ndate: 2023-01-15\n"
          "themes: [discriminations]\nterritoires: [ca-de-lens-lievin]\n"
          "auteurs:\n  - organisation: irev\n---\nTexte Zorglub.\n")
    site = tmp_path / "site"
    assert build_site(content, site).returncode == 0
    leaks = [name for name, text in site_text(site).items() if "zorglub" in text.lower()]
    assert leaks == []


def test_check_warns_about_near_duplicate_people_and_organisations(tree):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + "- id: martin-ada\n  nom: Martïn\n  prenom: ADA\n  consentement_publication: true\n"
                      "- id: ada-marton\n  nom: MARTON\n  prenom: Ada\n  consentement_publication: true\n")
    orgs = tree / "registre" / "organisations.yml"
    orgs.write_text(orgs.read_text() + "- id: irev-bis\n  nom: Centre de ressources Politique de la Ville Hauts de France\n"
                    "  type: association\n")
    result = run(["irev", "check"], tree)
    assert result.returncode == 0  # warnings do not fail
    out = result.stdout
    assert "ATTENTION content/registre/personnes.yml:10: id: « martin-ada » ressemble à « ada-martin » (ligne 2)" in out
    assert "« ada-marton » ressemble à « ada-martin »" in out
    assert "« irev-bis » ressemble à « irev »" in out
    content_warnings = [line for line in out.splitlines() if line.startswith("ATTENTION content/")]
    assert len(content_warnings) == 4  # martin-ada and ada-marton are one letter apart too


def test_drafts_are_refused_by_the_public_build(tree, tmp_path):
    result = build_site(tree, tmp_path / "site", IREV_BROUILLONS="1")
    assert result.returncode != 0
    assert "IREV_BROUILLONS=1 montre les brouillons : réservé à l'aperçu (make serve)" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_public_phone_numbers_are_tel_links_separated_only_between_them(real_site):
    """Called from a phone in one tap; « · » between details, never after the last one."""
    for page in ("personnes/karima-elkhadiri", "cycles/2021-04-initier-un-plan-lcd"):
        html = (real_site / page / "index.html").read_text(encoding="utf-8")
        assert '<a href="tel:0320254695">03 20 25 46 95</a> · Tél. <a href="tel:0674533537">06 74 53 35 37</a>' in html
        assert not re.search(r"·\s*</p>", html)


def test_records_and_entries_show_their_section_as_current(real_site):
    """Not in the navigation, a record or an entry still shows where it is: its section's tab is
    the current one and the breadcrumb leads back (Accueil › Réunions › the record)."""
    expected = {"reunions/2022-06-22-reseau-lcd": ("Réunions", ["Accueil", "Réunions"]),
                "fiches/2022-echelle-de-maturite-concept-rse": ("Fiches outils", ["Accueil", "Fiches outils"]),
                "territoires/hauts-de-france": ("Annuaire", ["Accueil", "Annuaire", "Territoires"])}
    for page, (tab, trail) in expected.items():
        html = (real_site / page / "index.html").read_text(encoding="utf-8")
        active = re.search(r'md-tabs__item--active">\s*<a[^>]*>\s*(.*?)\s*</a>', html, re.S)
        assert active and re.sub(r"<[^>]+>|\s+", " ", active.group(1)).strip() == tab, page
        path = re.search(r'<nav class="md-path" aria-label="Fil d\'Ariane">(.*?)</nav>', html, re.S).group(1)
        items = [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", path, re.S)]
        assert items[:-1] == trail and 'aria-current="page"' in path, page
