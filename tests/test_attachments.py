"""Attachments under content/pieces-jointes/: only safe files named by shown records reach the site.

Every case goes through the real `python -m irev check` or `mkdocs build --strict`.
"""

from __future__ import annotations

import base64
import io
import os
import posixpath
import re
import zipfile

import pytest
from conftest import build_site, mkdocs_serve, page_text, run, served, session_options

from irev import attachments, catalogue, loading, pages
from irev.site import Session

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
JPG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
PUBLISHED = "meetings/2022-03-01-reunion-test.md"
DRAFT = "meetings/2022-04-01-reunion-brouillon.md"


def office(main_part: str) -> bytes:
    """A tiny OOXML package whose main part is e.g. `word/document.xml`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(main_part, "<document/>")
    return buffer.getvalue()


def opendocument(mime: str) -> bytes:
    """A tiny ODF package: the `mimetype` entry first and stored, as the standard requires."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", mime)
        package.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def attach(tree, name: str, data: bytes):
    path = tree / "pieces-jointes" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def add_documents(tree, record: str, *documents: dict) -> list[dict[str, int]]:
    """Add `documents` to a record (each a dict of fields, written in order); the line of each field."""
    path = tree / record
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("---", 1)
    block, where = ["documents:"], []
    for document in documents:
        where.append({})
        for number, (key, value) in enumerate(document.items()):
            where[-1][key] = at + len(block) + 1
            block.append(f"{'  - ' if number == 0 else '    '}{key}: '{value}'")
    path.write_text("\n".join(lines[:at] + block + lines[at:]), encoding="utf-8")
    return where


def cite(tree, record: str, *names: str) -> list[int]:
    """Name files in a record's `documents`; the line of each `fichier`."""
    found = add_documents(tree, record, *({"titre": "Compte rendu", "type": "compte-rendu", "fichier": name}
                                           for name in names))
    return [lines["fichier"] for lines in found]


def sized(path, n_bytes: int):
    """The file made n_bytes long (sparse: nothing written)."""
    with path.open("r+b") as handle:
        handle.truncate(n_bytes)
    return path


def check(tree):
    """The content's problems (the legal pages' settings in mkdocs.yml: tests/test_legal.py)."""
    result = run(["irev", "check"], tree)
    return result, [line for line in result.stdout.splitlines()
                    if line.startswith(("ERREUR", "ATTENTION")) and not line.startswith("ATTENTION mkdocs.yml:")]


def published_files(site) -> set[str]:
    folder = site / "pieces-jointes"
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_a_cited_file_is_published_and_linked_from_its_page_with_its_real_format_and_size(tree, tmp_path):
    sized(attach(tree, "2022/compte-rendu-reseau.pdf", PDF), 245 * 1024)
    grid = office("word/document.xml")
    attach(tree, "2022/grille.docx", grid)
    cite(tree, PUBLISHED, "2022/compte-rendu-reseau.pdf", "2022/grille.docx")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    assert published_files(site) == {"2022/compte-rendu-reseau.pdf", "2022/grille.docx"}
    assert (site / "pieces-jointes" / "2022" / "compte-rendu-reseau.pdf").read_bytes()[:len(PDF)] == PDF
    page = site / "reunions" / "2022-03-01-reunion-test" / "index.html"
    links = re.findall(r'<a href="([^"]+)">Compte rendu \(([^)]*)\)</a> — Compte rendu<',
                       page.read_text(encoding="utf-8").replace("&nbsp;", "\u00a0"))  # as the sanitiser writes it
    assert links == [("../../pieces-jointes/2022/compte-rendu-reseau.pdf", "PDF, 245\u00a0Ko"),
                     ("../../pieces-jointes/2022/grille.docx", f"DOCX, {len(grid)}\u00a0octets")]
    for href, _ in links:  # each resolves, from the page's own URL, to the published file
        assert (site / posixpath.normpath(posixpath.join("reunions/2022-03-01-reunion-test", href))).is_file()


def test_an_external_document_shows_what_is_written_and_one_without_address_is_not_online(tree, tmp_path):
    add_documents(
        tree, PUBLISHED,
        {"titre": "Synthèse [version courte]", "type": "synthese", "url": "https://www.irev.fr/synthese.pdf",
         "format": "PDF", "poids": "348.92 Ko"},
        {"titre": "Programme", "type": "programme", "url": "https://www.irev.fr/programme"},
        {"titre": "Compte rendu papier", "type": "compte-rendu", "poids": "2 Mo"})
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    page = (site / "reunions" / "2022-03-01-reunion-test" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://www.irev.fr/synthese.pdf">Synthèse [version courte] (PDF, 348.92 Ko)</a> — Synthèse<' in page
    assert '<a href="https://www.irev.fr/programme">Programme</a> — Programme<' in page  # no format known: none shown
    text = page_text(site, "reunions/2022-03-01-reunion-test")
    assert "Compte rendu papier — Compte rendu, non disponible en ligne" in text
    assert "Compte rendu papier</a>" not in page


@pytest.mark.parametrize("n_bytes, label", [
    (0, "0 octet"), (1, "1 octet"), (812, "812 octets"), (1023, "1023 octets"), (1024, "1 Ko"), (1536, "1,5 Ko"),
    (10 * 1024 - 52, "9,9 Ko"), (10 * 1024 - 51, "10 Ko"), (245 * 1024, "245 Ko"), (1024 ** 2 - 1, "1 Mo"),
    (1024 ** 2, "1 Mo"), (int(1.2 * 1024 ** 2), "1,2 Mo"), (int(1.5 * 1024 ** 2), "1,5 Mo"),
    (attachments.MAX_BYTES, attachments.MAX_LABEL), (3 * 1024 ** 3, "3 Go")])
def test_size_label_in_french_in_units_of_1024(n_bytes, label):
    assert attachments.size_label(n_bytes) == label.replace(" ", "\u00a0")  # never split over two lines


def test_poids_and_format_beside_a_hosted_file_are_checked_against_the_file(tree, tmp_path):
    sized(attach(tree, "2022/cr.pdf", PDF), 357_294)  # 348.92 Ko
    agreeing = ["348.92 Ko", "349 Ko", "0,34 Mo", "357 301 octets", "350 KB", "380 Ko", "pdf"]
    written = [{"poids": value} for value in agreeing[:-1]] + [{"format": "pdf"}]
    written += [{"poids": "400 Ko"}, {"poids": "2,4 Mo"}, {"poids": "environ 300"}, {"format": "DOCX"}]
    lines = add_documents(tree, PUBLISHED, *({"titre": "Compte rendu", "type": "compte-rendu", "fichier": "2022/cr.pdf",
                                              **fields} for fields in written))
    where = [f"content/{PUBLISHED}:{lines[i][key]}: documents[{i}].{key}: " for i, key in
             zip(range(len(agreeing), len(written)), ("poids", "poids", "poids", "format"))]
    hint = " (piste : retirez « poids » : il est calculé à partir du fichier)"
    expected = [f"ERREUR {where[0]}poids « 400 Ko » faux : le fichier « 2022/cr.pdf » pèse 349 Ko{hint}",
                f"ERREUR {where[1]}poids « 2,4 Mo » faux : le fichier « 2022/cr.pdf » pèse 349 Ko{hint}",
                f"ATTENTION {where[2]}poids « environ 300 » illisible : le fichier « 2022/cr.pdf » pèse 349 Ko{hint}",
                f"ATTENTION {where[3]}format « DOCX » différent de celui du fichier « 2022/cr.pdf » (PDF) : le site "
                f"affiche PDF (piste : retirez « format » : il est déduit du fichier)"]
    result, found = check(tree)
    assert (result.returncode, found) == (1, expected)
    site = tmp_path / "site"
    built = build_site(tree, site)
    assert built.returncode != 0 and all(line.split(" ", 1)[1] in built.stderr for line in expected)
    assert not site.exists()


def test_a_drafts_attachment_is_published_only_when_drafts_are_shown(tree, tmp_path):
    attach(tree, "brouillon.pdf", PDF)
    cite(tree, DRAFT, "brouillon.pdf")
    assert check(tree)[1] == []  # cited by a record, even a draft: no warning
    public = tmp_path / "public"
    assert build_site(tree, public).returncode == 0
    assert published_files(public) == set()
    with mkdocs_serve(tree, tmp_path, IREV_BROUILLONS="1") as base:  # the preview only shows drafts
        assert served(f"{base}/pieces-jointes/brouillon.pdf", "%PDF")


def test_a_cited_file_removed_while_serving_is_a_problem_shown_by_the_preview(tree, tmp_path):
    """The preview goes on serving the last correct site, the problem in its banner, until the file is back."""
    import json
    path = attach(tree, "2022/cr.pdf", PDF)
    [line] = cite(tree, PUBLISHED, "2022/cr.pdf")
    with mkdocs_serve(tree, tmp_path, log=tmp_path / "serve.log") as base:
        assert served(f"{base}/pieces-jointes/2022/cr.pdf", "%PDF")
        path.unlink()
        state = json.loads(served(f"{base}/irev-apercu.json", "2022/cr.pdf"))
        assert state["derniere_version_correcte"] is True
        assert [p for p in state["problemes"] if p.startswith(f"content/{PUBLISHED}:{line}: documents")]
        assert served(f"{base}/reunions/2022-03-01-reunion-test/", "Compte rendu")
        attach(tree, "2022/cr.pdf", PDF + b"%")
        served(f"{base}/irev-apercu.json", '"problemes": []')
        served(f"{base}/pieces-jointes/2022/cr.pdf", "%%EOF\n%")  # the new file (served once the pages are)


def test_a_file_no_record_cites_is_a_warning_and_is_not_published(tree, tmp_path):
    attach(tree, "oublie.pdf", PDF)
    result, lines = check(tree)
    assert result.returncode == 0
    assert lines == ["ATTENTION content/pieces-jointes/oublie.pdf:1: fichier cité par aucune ressource : il n'est pas "
                     "publié (piste : citez-le dans le champ « fichier » d'un document, ou retirez-le)"]
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    assert published_files(site) == set()


def _symlink_to_system_file(tree):
    (tree / "pieces-jointes").mkdir()
    os.symlink("/etc/passwd", tree / "pieces-jointes" / "passwd.pdf")
    return "passwd.pdf", "passwd.pdf:1: lien symbolique interdit"


def _symlinked_folder(tree):
    (tree / "pieces-jointes").mkdir()
    os.symlink("/etc", tree / "pieces-jointes" / "systeme")
    return "systeme/passwd.pdf", "systeme:1: lien symbolique interdit"


def _symlinked_attachments_folder(tree):
    os.symlink("/etc", tree / "pieces-jointes")
    return "passwd.pdf", "content/pieces-jointes:1: lien symbolique interdit"


def _attachments_folder_is_a_file(tree):
    (tree / "pieces-jointes").write_bytes(PDF)
    return "passwd.pdf", "content/pieces-jointes:1: un dossier est attendu ici"


def _hard_link_to_outside(tree):
    outside = tree.parent / "ailleurs.pdf"
    outside.write_bytes(PDF)
    (tree / "pieces-jointes").mkdir()
    os.link(outside, tree / "pieces-jointes" / "lien.pdf")
    return "lien.pdf", "lien.pdf:1: fichier à plusieurs liens physiques : refusé"


def _html_page(tree):
    attach(tree, "page.html", HTML)
    return "page.html", "page.html:1: type de fichier refusé (.html)"


def _markdown_page(tree):
    attach(tree, "page.md", b"---\ntitle: Page\n---\n# Page que personne n'a validee\n")
    return "page.md", "page.md:1: type de fichier refusé (.md)"


def _svg_image(tree):
    attach(tree, "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    return "logo.svg", ("logo.svg:1: type de fichier refusé (.svg) : seuls pdf, odt, ods, odp, docx, xlsx, pptx, csv, png, "
                        "jpg sont acceptés (piste : exportez l'image en PNG ou en PDF")


def _html_named_pdf(tree):
    attach(tree, "rapport.pdf", HTML)
    return "rapport.pdf", "rapport.pdf:1: ce fichier n'est pas un vrai .pdf : son contenu n'est pas reconnu"


def _fifo(tree):
    (tree / "pieces-jointes").mkdir()
    os.mkfifo(tree / "pieces-jointes" / "tube.pdf")
    return "tube.pdf", "tube.pdf:1: ni fichier ni dossier"


@pytest.mark.parametrize("attack", [_symlink_to_system_file, _symlinked_folder, _symlinked_attachments_folder,
                                    _attachments_folder_is_a_file, _hard_link_to_outside, _html_page, _markdown_page,
                                    _svg_image, _html_named_pdf, _fifo])
def test_a_hostile_file_is_an_error_with_its_path_and_nothing_is_published(tree, tmp_path, attack):
    name, expected = attack(tree)
    cite(tree, PUBLISHED, name)
    result, lines = check(tree)
    assert result.returncode == 1
    assert any(line.startswith("ERREUR content/pieces-jointes") and expected in line for line in lines), lines
    site = tmp_path / "site"
    built = build_site(tree, site)
    assert built.returncode != 0 and expected in built.stderr
    assert not site.exists()


def test_fichier_that_leaves_the_folder_is_an_error_at_its_line_with_the_other_problems(tree, tmp_path):
    attach(tree, "secret.pdf", PDF)
    escapes = ["../../../../etc/passwd", "/etc/passwd", "..\\..\\secret.pdf", "%2e%2e/secret.pdf",
               "2022/../../secret.pdf", "./secret.pdf", "C:/secret.pdf", "~/secret.pdf"]
    lines = cite(tree, PUBLISHED, *escapes, "secret.pdf")
    draft = tree / DRAFT
    draft.write_text(draft.read_text(encoding="utf-8").replace("date: 2022-04-01", "date: 2022-04-31"), encoding="utf-8")
    expected = [f"content/{PUBLISHED}:{line}: documents[{index}].fichier: chemin « {value} » interdit : le fichier "
                f"doit être sous content/pieces-jointes/" for index, (value, line) in enumerate(zip(escapes, lines))]
    expected.append(f"content/{DRAFT}:5: date: date impossible « 2022-04-31 »")
    result, found = check(tree)
    assert result.returncode == 1
    assert all(f"ERREUR {line}" in result.stdout for line in expected), result.stdout
    assert len(found) == len(expected)  # secret.pdf itself is fine: no warning either
    site = tmp_path / "site"
    built = build_site(tree, site)
    assert built.returncode != 0 and all(line in built.stderr for line in expected), built.stderr
    assert not site.exists()


def test_fichier_must_name_an_existing_file_of_an_accepted_type(tree, tmp_path):
    attach(tree, "2022/compte-rendu.pdf", PDF)
    attach(tree, "2022/logo.png", PNG)
    names = ["2022/compte-rendu-juin.pdf", "pieces-jointes/2022/logo.png", "2022/page.html", "2022/logo.svg",
             "2022/Compte Rendu.pdf", "https://www.irev.fr/cr.pdf", "Réunions/logo.png"]
    lines = cite(tree, PUBLISHED, *names, "2022/compte-rendu.pdf")
    result, found = check(tree)
    assert result.returncode == 1
    where = [f"ERREUR content/{PUBLISHED}:{line}: documents[{i}].fichier: " for i, line in enumerate(lines)]
    for expected in (
            where[0] + "fichier « 2022/compte-rendu-juin.pdf » introuvable dans content/pieces-jointes/ "
                       "(piste : vouliez-vous dire « 2022/compte-rendu.pdf » ?)",
            where[1] + "fichier « pieces-jointes/2022/logo.png » introuvable dans content/pieces-jointes/ "
                       "(piste : le chemin part de content/pieces-jointes/ : écrivez « 2022/logo.png »)",
            where[2] + "type de fichier refusé (.html)",
            where[3] + "type de fichier refusé (.svg)",
            where[4] + "nom de fichier « Compte Rendu.pdf » invalide : minuscules sans accents, chiffres et tirets, "
                       "puis l'extension (piste : renommez-le par ex. « compte-rendu.pdf »)",
            where[5] + "« https://www.irev.fr/cr.pdf » est une adresse, pas un fichier",
            where[6] + "chemin « Réunions/logo.png » invalide : dossiers en minuscules sans accents, chiffres et tirets "
                       "(piste : par ex. « reunions/logo.png »)"):
        assert expected in result.stdout, result.stdout
    assert "7 erreur(s)" in result.stdout
    site = tmp_path / "site"
    built = build_site(tree, site)
    assert built.returncode != 0 and where[0][len("ERREUR "):] + "fichier « 2022/compte-rendu-juin.pdf » introuvable" \
        in built.stderr
    assert not site.exists()


def test_every_accepted_type_passes_when_its_content_matches(tree):
    files = {"a.pdf": PDF, "b.png": PNG, "c.jpg": JPG, "d.csv": "nom;année\nLens;2022\n".encode("cp1252"),
             "e.docx": office("word/document.xml"), "f.xlsx": office("xl/workbook.xml"),
             "g.pptx": office("ppt/presentation.xml"), "h.odt": opendocument("application/vnd.oasis.opendocument.text"),
             "i.ods": opendocument("application/vnd.oasis.opendocument.spreadsheet"),
             "j.odp": opendocument("application/vnd.oasis.opendocument.presentation")}
    for name, data in files.items():
        attach(tree, name, data)
    cite(tree, PUBLISHED, *files)
    result, lines = check(tree)
    assert (result.returncode, lines) == (0, [])


@pytest.mark.parametrize("name, data, expected", [
    ("tableau.xlsx", office("word/document.xml"),
     "ce fichier n'est pas un vrai .xlsx : il ressemble à un fichier .docx (piste : renommez-le en .docx)"),
    ("texte.docx", opendocument("application/vnd.oasis.opendocument.text"),
     "ce fichier n'est pas un vrai .docx : il ressemble à un fichier .odt (piste : renommez-le en .odt)"),
    ("archive.docx", office("autre/document.xml"), "ce fichier n'est pas un vrai .docx : il ressemble à un fichier .zip"),
    ("photo.png", JPG, "ce fichier n'est pas un vrai .png : il ressemble à un fichier .jpg (piste : renommez-le en .jpg)"),
    ("donnees.csv", b"nom;valeur\n\x00\x01\x02binaire", "fichier .csv refusé : il n'est pas du texte"),
    ("donnees.csv", b"\xef\xbb\xbf <html><script>alert(1)</script>", "fichier .csv refusé : il contient du HTML ou du XML"),
    ("vide.pdf", b"", "fichier vide"),
])
def test_the_content_must_be_what_the_extension_says(tree, name, data, expected):
    attach(tree, name, data)
    cite(tree, PUBLISHED, name)
    result, lines = check(tree)
    assert len(lines) == 1 and lines[0].startswith(f"ERREUR content/pieces-jointes/{name}:1: {expected}"), lines


def test_size_limit(tree, tmp_path):
    with attach(tree, "lourd.pdf", PDF).open("r+b") as handle:
        handle.truncate(attachments.MAX_BYTES + 1)  # sparse: nothing written
    with attach(tree, "juste.pdf", PDF).open("r+b") as handle:
        handle.truncate(attachments.MAX_BYTES)
    cite(tree, PUBLISHED, "lourd.pdf", "juste.pdf")
    result, lines = check(tree)
    assert lines == ["ERREUR content/pieces-jointes/lourd.pdf:1: fichier trop lourd (20,1 Mo) : au plus 20 Mo (piste : "
                     "réduisez-le (export PDF compressé, images allégées) ou publiez-le ailleurs et donnez son adresse "
                     "dans « url »)"]


def test_file_and_folder_names_make_clean_urls(tree):
    attach(tree, "Compte rendu été.PDF", PDF)
    attach(tree, "Année 2022/cr.pdf", PDF)
    attach(tree, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    attach(tree, "photo.jpeg", JPG)
    result, lines = check(tree)
    assert result.returncode == 1
    for expected in (
            "ERREUR content/pieces-jointes/.DS_Store:1: type de fichier refusé (.DS_Store)",
            "ERREUR content/pieces-jointes/Année 2022:1: nom de dossier « Année 2022 » invalide : minuscules sans "
            "accents, chiffres et tirets (piste : renommez-le par ex. « annee-2022 »)",
            "ERREUR content/pieces-jointes/Compte rendu été.PDF:1: nom de fichier « Compte rendu été.PDF » invalide : "
            "minuscules sans accents, chiffres et tirets, puis l'extension (piste : renommez-le par ex. "
            "« compte-rendu-ete.pdf »)",
            "ERREUR content/pieces-jointes/photo.jpeg:1: type de fichier refusé (.jpeg) : seuls pdf, odt, ods, odp, docx, "
            "xlsx, pptx, csv, png, jpg sont acceptés (piste : renommez-le en .jpg)"):
        assert any(line.startswith(expected) for line in lines), lines
    assert len(lines) == 4  # the folder's file is not reported again as cited by no record


def test_while_serving_a_file_changed_since_the_last_build_is_checked_again(tree):
    """`mkdocs serve` keeps each file's verdict with its inode, size and times (the hook's memo)."""
    path = attach(tree, "cr.pdf", PDF)
    cite(tree, PUBLISHED, "cr.pdf")
    memo: dict = {}
    assert catalogue.build(loading.load(tree), memo=memo)[1] == []
    path.write_bytes(HTML)
    problems = catalogue.build(loading.load(tree), memo=memo)[1]
    assert [(p.file, p.message) for p in problems] == [
        ("content/pieces-jointes/cr.pdf", "ce fichier n'est pas un vrai .pdf : son contenu n'est pas reconnu")]


def test_while_serving_a_replaced_file_shows_its_new_size(tree):
    """The preview remakes a record's page when one of its files changed size, its text unchanged."""
    path = sized(attach(tree, "cr.pdf", PDF), 2048)
    cite(tree, PUBLISHED, "cr.pdf")
    session = Session(serving=True)

    def record_page() -> str:
        assert session.prepare(session_options(tree, tree.parent / "cache")) == []
        session.make()
        return session.html("reunions/2022-03-01-reunion-test.md").html

    assert '<a href="../../pieces-jointes/cr.pdf">Compte rendu (PDF, 2&nbsp;Ko)</a>' in record_page()
    sized(path, 3 * 1024 * 1024)
    assert '<a href="../../pieces-jointes/cr.pdf">Compte rendu (PDF, 3&nbsp;Mo)</a>' in record_page()
    assert session.memos.pages.remade == [("record", "2022-03-01-reunion-test")]
