"""Older IREV documents (tests/fixtures/archives-organisations): partners and their roles,
co-organisers, people's roles, a comité de pilotage, organisations under the name they had at
a record's date; and the seed plans' partners. Facts asserted on the built pages, PDFs and search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import built_tree, page_text, record_pdf, run, search_fragments, serve, site_text

from playwright.sync_api import expect

ARCHIVES = Path(__file__).resolve().parent / "fixtures" / "archives-organisations"
CYCLE = "cycles/2016-cycle-agir-contre-les-discriminations"
JOURNEE = "reunions/2014-11-18-journee-regionale-egalite"
RESEAU = "reunions/2022-05-12-reseau-egalite"
DRJSCS_2014 = "Direction régionale de la jeunesse, des sports et de la cohésion sociale Nord – Pas-de-Calais (DRJSCS)"
DRDJSCS_2016 = ("Direction régionale et départementale de la jeunesse, des sports et de la cohésion sociale "
                "Nord – Pas-de-Calais – Picardie (DRDJSCS)")
DREETS = "Direction régionale de l'économie, de l'emploi, du travail et des solidarités Hauts-de-France (DREETS)"
IREV_2014 = "Institut régional de la ville Nord – Pas-de-Calais (IREV)"
HIDDEN = ("VAUTRIN", "Vautrin", "Gaspard", "RIMBERT", "Rimbert", "Solange", "gaspard-vautrin", "solange-rimbert")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_tree(tmp_path_factory, ARCHIVES)


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def pdf(site: Path, record: str) -> str:
    return record_pdf(site, record)


def test_cycle_partners_under_their_roles_with_the_names_of_2016(site):
    text = page_text(site, CYCLE)
    assert f"Organisation {IREV_2014} Co-organisation {DRDJSCS_2016}" in text
    partners = section(text, "Partenariats", "Programme")
    assert re.search(r"Partenaires Institut régional d'administration de Lille \(IRA de Lille\) — ingénierie "
                     r"pédagogique Préfecture du Nord — mobilisation des délégués du préfet Département du Nord "
                     r"Fédération des centres sociaux du Nord Financement Région Nord – Pas-de-Calais – Picardie "
                     r"— cofinancement", partners)
    assert "Centre national de la fonction publique territoriale (CNFPT) — prise en charge des agents territoriaux" in partners
    assert "Structures intervenantes Université Lille 3 – Charles de Gaulle — apports scientifiques" in partners
    for host in ("Métropole Européenne de Lille (MEL) — session de la métropole lilloise",
                 "Communauté d'agglomération de Lens-Liévin (CALL) — session de Lens-Liévin",
                 "Université de Valenciennes et du Hainaut-Cambrésis (UVHC) — session du Valenciennois",
                 "Amiens Métropole — session de l'Amiénois"):
        assert host in section(partners, "Accueil", "Avec le soutien de")
    assert "Avec le soutien de Collectif des associations de quartier de Lens-Liévin — relais auprès des habitants" in partners
    assert "Personnes citées" not in text
    html = (site / CYCLE / "index.html").read_text(encoding="utf-8")
    assert html.count('href="../../organisations/universite-de-lille/"') >= 3  # fil rouge, comité, partner
    assert 'href="../../organisations/uphf/"' in html


def test_cycle_roles_and_steering_committee_respect_consent(site):
    text = page_text(site, CYCLE)
    speakers = section(text, "Intervenants Fil rouge", "Comité de pilotage")
    assert "Fil rouge : Hélène MARCHAND , Sociologue, Université Lille 3 – Charles de Gaulle" in speakers
    assert f"Animation : Bruno LEFORT , Chargé de mission, {IREV_2014}" in speakers
    assert "Formateur, Ligue de l'enseignement du Pas-de-Calais" in speakers  # by function: no consent
    committee = section(text, "Comité de pilotage Réuni", "Partenariats")
    assert "valide le programme et le choix des territoires" in committee
    assert f"Chargée de mission politique de la ville, {DRDJSCS_2016}" in committee
    assert "Région Nord – Pas-de-Calais – Picardie" in committee
    assert f"Odile FERRAND , Directrice, {IREV_2014}" in committee
    assert "Hélène MARCHAND , Université Lille 3 – Charles de Gaulle" in committee


def test_2014_event_cites_the_directorate_and_its_co_organisers_under_their_2014_names(site):
    text = page_text(site, JOURNEE)
    assert (f"Organisation {DRJSCS_2014} Co-organisation {IREV_2014} ; Centre de ressources politique de la ville "
            f"de Picardie (CRPV Picardie)") in text
    assert f"Animation Bruno LEFORT , Chargé de mission, {IREV_2014}" in text
    assert "Introduction Sous-préfet chargé de la politique de la ville, Préfecture du Nord" in text
    assert "Conclusion Centre de ressources politique de la ville de Picardie (CRPV Picardie)" in text
    assert "Grand témoin Hélène MARCHAND , Sociologue, Université Lille 3 – Charles de Gaulle" in text
    assert f"ouverte par les services de l'État ( {DRJSCS_2014} ) et soutenue par Région Nord – Pas-de-Calais ." in text
    assert "Partenaires Région Nord – Pas-de-Calais" in text  # written as the id alone: a partner
    assert "Accueil Lille Métropole Communauté urbaine (LMCU) — prêt de l'auditorium" in text
    assert f"Modération : Chargée de mission politique de la ville, {DRJSCS_2014} ; Odile FERRAND" in text
    assert "DREETS" not in text.split("2014-11-18", 1)[1]  # past the search facets: the name of 2014 only
    html = (site / JOURNEE / "index.html").read_text(encoding="utf-8")
    assert html.count('href="../../organisations/dreets-hauts-de-france/"') == 3  # organiser, mention, moderator
    assert "Personnes citées" not in text


def test_a_later_record_uses_the_current_name(site):
    text = page_text(site, RESEAU)
    assert f"Co-organisation {DREETS}" in text and f"Réunion préparée avec {DREETS} ." in text


def test_organisation_page_shows_former_names_and_roles_in_records(site):
    text = page_text(site, "organisations/dreets-hauts-de-france")
    assert text.startswith(DREETS)
    assert ("Anciennement Direction régionale et départementale de la jeunesse, des sports et de la cohésion sociale "
            "Hauts-de-France (DRDJSCS, jusqu'au 31 mars 2021) ; Direction régionale et départementale de la jeunesse, "
            "des sports et de la cohésion sociale Nord – Pas-de-Calais – Picardie (DRDJSCS, jusqu'en septembre 2016) ; "
            "Direction régionale de la jeunesse, des sports et de la cohésion sociale Nord – Pas-de-Calais (DRJSCS, "
            "jusqu'au 31 décembre 2015)") in text
    assert re.search(r"Co-organisateur de Réunion de réseau égalité du 12 mai 2022 .* Agir contre les discriminations "
                     r"dans les quartiers de la politique de la ville — Cycles de qualification, 15 mars 2016 Membre du "
                     r"comité de pilotage de Agir contre", text)
    assert "Anciennement Université Lille 3 – Charles de Gaulle (jusqu'en 2017)" in page_text(site, "organisations/universite-de-lille")
    irev = page_text(site, "organisations/irev")
    assert "Co-organisateur de Journée régionale « Égalité et politique de la ville » du 18 novembre 2014" in irev
    for organisation, heading in (("cnfpt", "Financeur de"), ("uphf", "Structure d'accueil de"),
                                  ("ira-de-lille", "Partenaire de"), ("universite-de-lille", "Structure intervenante dans"),
                                  ("region-hauts-de-france", "Membre du comité de pilotage de")):
        assert f"{heading} Agir contre les discriminations" in page_text(site, f"organisations/{organisation}"), organisation
    assert "Partenaire de Journée régionale" in page_text(site, "organisations/region-hauts-de-france")


def test_person_pages_give_each_role_in_their_history(site):
    helene = page_text(site, "personnes/helene-marchand")
    assert ("Interventions et rôles Fil rouge — Agir contre les discriminations dans les quartiers de la politique de "
            "la ville — Cycles de qualification, 15 mars 2016 Grand témoin — Journée régionale « Égalité et politique "
            "de la ville » du 18 novembre 2014") in helene
    assert "Comité de pilotage Agir contre les discriminations" in helene
    bruno = page_text(site, "personnes/bruno-lefort")
    assert bruno.count("Animation — ") == 2
    assert "Intervention — Journée régionale" in page_text(site, "personnes/odile-ferrand")


def test_people_without_consent_are_never_named_nor_given_a_page(site):
    assert not (site / "personnes" / "gaspard-vautrin").exists() and not (site / "personnes" / "solange-rimbert").exists()
    texts = site_text(site)  # pages, PDFs, search index
    assert any(name.endswith(".pdf") for name in texts)
    leaks = {name: word for name, text in texts.items() for word in HIDDEN if word in text}
    assert leaks == {}


def test_pdfs_hold_partners_roles_and_names_in_force(site):
    cycle = " ".join(pdf(site, CYCLE).split())
    for fact in ("Co-organisation : Direction régionale et départementale", "Fil rouge : Hélène MARCHAND",
                 "Comité de pilotage", "Financement", "Région Nord – Pas-de-Calais – Picardie", "Structures intervenantes",
                 "Université Lille 3 – Charles de Gaulle — apports scientifiques", "Avec le soutien de"):
        assert fact in cycle, fact
    journee = " ".join(pdf(site, JOURNEE).split())
    assert f"Organisation : {DRJSCS_2014}" in journee and "Grand témoin : Hélène MARCHAND" in journee
    assert "DREETS" not in journee


def test_search_facet_has_the_current_name_and_the_text_the_name_in_force(site):
    html = (site / JOURNEE / "index.html").read_text(encoding="utf-8")
    facets = re.findall(r'<span data-pagefind-filter="organisation">([^<]*)</span>', html)
    assert [f.replace("&#39;", "'") for f in facets] == [
        DREETS, "IREV – centre de ressources Politique de la ville Hauts-de-France (IREV)",
        "Centre de ressources politique de la ville de Picardie (CRPV Picardie)", "Métropole Européenne de Lille (MEL)",
        "Région Hauts-de-France"]
    indexed = search_fragments(site)[f"/{JOURNEE}/"]
    assert DREETS in indexed["filters"]["organisation"]
    assert DRJSCS_2014 in indexed["content"] and "DREETS" not in indexed["content"]


@pytest.fixture(scope="module")
def site_url(site):
    with serve(site) as url:
        yield url


def test_library_filters_by_organisation_whatever_its_name_then(page, site_url):
    page.goto(site_url + "/ressources/")
    expect(page.locator(".irev-library__status")).to_have_text("3 ressources")
    page.locator("fieldset", has_text="Organisation").get_by_role("button", name=re.compile("^Afficher les")).click()
    page.get_by_label(re.compile(r"^Centre de ressources politique de la ville de Picardie \(CRPV Picardie\) \(1\)$")).check()
    expect(page.locator(".irev-library__status")).to_have_text("1 ressource")
    assert page.locator(".irev-result__title").all_inner_texts() == [
        "Journée régionale « Égalité et politique de la ville » du 18 novembre 2014"]
    page.goto(site_url + "/ressources/?organisation=" + DREETS.replace(" ", "+"))
    expect(page.locator(".irev-library__status")).to_have_text("3 ressources")


def test_partner_mistakes_are_reported_in_french_with_their_lines(tree):
    path = tree / "meetings" / "2022-03-01-reunion-test.md"
    path.write_text(path.read_text(encoding="utf-8").replace("serie: reseau-test\n", (
        "serie: reseau-test\npartenaires:\n  - organisation: call\n    nom: CALL\n  - inconnue\n"
        "  - organisation: irev\n    role: hote\nintervenants:\n  - personne: ada-martin\n    role: temoin\n")),
        encoding="utf-8")
    registry = tree / "registre" / "organisations.yml"
    registry.write_text(registry.read_text(encoding="utf-8") + "  anciens_noms:\n    - nom: Ancien nom\n"
                        "      jusqu_au: fin 2016\n", encoding="utf-8")
    output = run(["irev", "check"], tree).stdout
    meeting = "meetings/2022-03-01-reunion-test.md"
    assert re.search(rf"{meeting}:13: partenaires\[0\]: indiquez « organisation » .* ou bien « nom », un seul des deux", output)
    assert f"{meeting}:15: partenaires[1]: organisation inconnue « inconnue »" in output
    assert re.search(rf"{meeting}:17: partenaires\[2\]\.role: valeur « hote » non autorisée : attendu co-organisateur, "
                     r"partenaire, financeur, intervenant, accueil", output)
    assert re.search(rf"{meeting}:20: intervenants\[0\]\.role: valeur « temoin » non autorisée : attendu intervention, "
                     r"animation, moderation, introduction, conclusion, grand-temoin, fil-rouge", output)
    assert re.search(r"registre/organisations.yml:13: anciens_noms\[0\]\.jusqu_au: date invalide « fin 2016 »", output)


# --- the seed plans and meetings (content/) -------------------------------------------------


def test_seed_plans_partners_by_role(real_site):
    mel = page_text(real_site, "plans/2018-ptlcd-metropole-europeenne-de-lille")
    committee = section(mel, "Comité de pilotage Comité annuel", "Partenariats")
    for member in ("Préfecture du Nord", "Tribunal de grande instance", "Délégué régional, Défenseur des droits",
                   "Union régionale de l'habitat", "IREV"):
        assert member in committee, member
    assert "Partenaires Université de Lille — partenariat dans le cadre du volet logement" in mel
    assert re.search(r"Parties prenantes .* Pôle emploi — volet emploi .* Communes en quartiers prioritaires de la "
                     r"politique de la ville — volet emploi", mel)
    valenciennes = page_text(real_site, "plans/2017-ptlcd-valenciennes-metropole")
    assert "Avec le soutien de Direction régionale de la jeunesse, des sports et de la cohésion sociale" in valenciennes
    assert re.search(r"Structures ayant contribué au diagnostic Communauté d'agglomération Valenciennes Métropole "
                     r"\(CAVM\) Ville de Beuvrages — mission politique de la ville et mission insertion-emploi", valenciennes)
    assert "Partie prenante de Plan territorial de prévention" in page_text(real_site, "organisations/medef")
    assert "A contribué au diagnostic de Plan territorial de lutte" in page_text(real_site, "organisations/adil")
    assert "Introduction IREV" in page_text(real_site, "reunions/2022-06-22-reseau-lcd")


def test_seed_survey_partners_and_cited_organisations_are_not_called_people(real_site):
    survey = page_text(real_site, "fiches/2022-enquete-perception-discriminations-logement-call")
    assert re.search(r"Partenariats Partenaires Maison de l'habitat durable .* membre du collectif de répliquants, lieu "
                     r"de passation du questionnaire .* Accueil Comité local pour le logement autonome des jeunes", survey)
    assert "Organisations citées : ExtraCité" in survey and "Personnes citées" not in survey
    meeting = page_text(real_site, "reunions/2022-06-22-reseau-lcd")
    assert "Organisations citées : ExtraCité ; Maison de la justice et du droit" in meeting
    assert "Personnes citées : Martin CLÉMENT , Défenseur des droits ; Patrick SIMON" in meeting  # people stay people
