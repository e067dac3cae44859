"""The seed documents' facts, found on the pages of the records they belong to."""

from __future__ import annotations

import re

from conftest import CONTENT, page_text

from irev import loading, similar


def test_june_2022_meeting(real_site):
    text = page_text(real_site, "reunions/2022-06-22-reseau-lcd")
    assert "mercredi 22 juin 2022, 9 h 00" in text and "Visioconférence" in text
    table = text[text.index("Participants Participant"):text.index("Déroulé")]
    assert (table.count("Présent"), table.count("Excusé")) == (19, 2)
    assert re.search(r"Nassim BOUDAUD Chargé de mission cohésion sociale Métropole Européenne de Lille \(MEL\) Excusé", table)
    assert re.search(r"Jamal KHAY .* Communauté urbaine de Dunkerque \(CUD\) Excusé", table)
    assert "Juline LAQUAY Stagiaire au Pôle prévention des discriminations" in table
    for fact in ("36 communes", "19 communes", "3000 recruteurs", "6000 candidatures", "MELODI",
                 "https://www.youtube.com/watch?v=Vvhvr9q2yZA", "Réunion précédente"):
        assert fact in text or fact in (real_site / "reunions/2022-06-22-reseau-lcd/index.html").read_text(), fact


def test_february_2022_meeting_and_its_documents(real_site):
    text = page_text(real_site, "reunions/2022-02-22-reseau-lcd")
    assert "mardi 22 février 2022, 9 h 30 – 12 h 00" in text
    assert "20 participants, 12 territoires représentés" in text
    for size in ("348.92 Ko", "275.61 Ko", "278.83 Ko", "798.71 Ko"):
        assert size in text
    assert re.search(r"Cindy GUILLOTTE Chargée de mission IREV", text)
    assert "Déborah FACON" in text and "Nadia HAMADACHE" in text


def test_april_2021_cycle(real_site):
    text = page_text(real_site, "cycles/2021-04-initier-un-plan-lcd")
    assert "Des clés pour comprendre et agir" in text
    assert re.search(r"mardi 6 avril 2021 9 h 00 – 12 h 00 Délégués du préfet", text)
    assert re.search(r"mardi 13 avril 2021 13 h 30 – 16 h 30 Chefs de projet", text)
    assert "mardi 20 avril 2021 9 h 00 – 12 h 00 Tous les publics" in text
    assert "Saïd BECHROURI" in text and "29 janvier 2021" in text and "Grigny" in text
    assert "Tél. 03 20 25 46 95" in text and "Tél. 06 74 53 35 37" in text


def test_mixite_course_sessions(real_site):
    text = page_text(real_site, "cycles/2022-parcours-mixite-sociale-et-scolaire")
    for fact in ("mardi 21 juin 2022 14 h 00 – 16 h 00", "mardi 5 juillet 2022 9 h 30 – 12 h 00", "Chasse Royale",
                 "mardi 20 septembre 2022", "mercredi 21 septembre 2022", "jeudi 6 octobre 2022"):
        assert fact in text, fact


def test_valenciennes_ptlcd_six_action_sheets(real_site):
    text = page_text(real_site, "plans/2017-ptlcd-valenciennes-metropole")
    sheets = re.findall(r"\b([1-6])\. (La fonction observatoire|L.affichage et le portage politique|La déconstruction des préjugés"
                        r"|La formation/qualification des structures et services|Agir sur les discriminations systémiques"
                        r"|L.accompagnement des victimes)", text)
    assert [number for number, _ in sheets] == ["1", "2", "3", "4", "5", "6"]
    for fact in ("annexe 7", "Depuis 2016", "Avril 2017", "Octobre 2017", "Nos quartiers ont des talents",
                 "Effets attendus", "Éléments à réunir au préalable", "150 sur 5 ans"):
        assert fact in text, fact


def test_mel_ptlcd(real_site):
    text = page_text(real_site, "plans/2018-ptlcd-metropole-europeenne-de-lille")
    for fact in ("20 avril 2018", "13 juin 2018", "26 quartiers prioritaires", "Damien CASTELAIN", "emploi", "logement"):
        assert fact.lower() in text.lower(), fact


def test_efh_plan_is_partial(real_site):
    text = page_text(real_site, "plans/2021-plan-egalite-femmes-hommes-valenciennes-metropole")
    assert "Synthèse partielle" in text
    for project in ("Encourager la mixité des métiers", "Encourager l'accès à l'agriculture pour les femmes",
                    "Encourager la mobilité de toutes et tous"):
        assert project in text


def test_seed_plans_are_adopted_plans(real_site):
    for ident in ("2017-ptlcd-valenciennes-metropole", "2018-ptlcd-metropole-europeenne-de-lille",
                  "2021-plan-egalite-femmes-hommes-valenciennes-metropole"):
        assert "Étape Adopté Territoire" in page_text(real_site, f"plans/{ident}"), ident
        page = (real_site / "plans" / ident / "index.html").read_text(encoding="utf-8")
        assert re.findall(r'data-pagefind-filter="etape">([^<]+)<', page) == ["Adopté"], ident


def test_marker_grid_questions_and_scoring_rules(real_site):
    text = page_text(real_site, "fiches/2021-grille-marqueurs-efh-valenciennes-metropole")
    grid = text[text.index("Grille N°"):text.index("Règles de cotation")]
    ids = re.findall(r" (3|2a|1|2b|4|5) (?:Diagnostic|Objectifs|Public-cible et mobilisation du public|Évaluation) Le ", grid)
    assert ids == ["3", "2a", "1", "2b", "4", "5"]
    assert "Marqueur 2 : Si les deux cases vertes foncées sont cochées" in text
    assert "Marqueur 1 : Si l'ensemble des cases vertes claires sont cochées" in text
    assert "Marqueur 0 : Pour les autres cas" in text


def test_maturity_scale_seven_domains(real_site):
    text = page_text(real_site, "fiches/2022-echelle-de-maturite-contrats-de-ville")
    for domain in ("engagement", "moyens dédiés", "organisation", "communication", "mobilisation des parties prenantes",
                   "mobilisation du droit", "observation des discriminations"):
        assert domain in text.lower(), domain


def test_no_person_twice_and_spellings_resolved():
    people = loading.load(CONTENT).registries["personne"]
    assert similar.near_duplicates(people, similar._person_keys) == []
    spellings = {p.model.nom: " ".join(p.model.autres_graphies) for p in people.values()}
    assert "BOUDAOU" in spellings["BOUDAUD"]
    assert "HERMANT" in spellings["HERNANT"]
    assert "DEBASTIANI" in spellings["DE BASTIANI"]
    assert "Julie" in spellings["LAQUAY"]
