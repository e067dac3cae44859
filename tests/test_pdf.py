"""PDF downloads: every record page of the seed content as an accessible PDF (PDF/UA-1), read back
with pikepdf and pypdf; hostile text stays text; the cache makes each PDF once."""

from __future__ import annotations

import datetime as dt
import html as html_module
import io
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import CONTENT, build_site, markdown_settings, pdf_text

from irev import attachments, catalogue, loading, pages, pdf, rendering, sanitize

UPDATED = dt.date(2024, 3, 12)
BASE = "https://ressources.irev.fr/"


@pytest.fixture(scope="module")
def record_pages(tmp_path_factory) -> list[tuple[str, str, pdf.Meta]]:
    """(source, HTML, metadata) of every record page of the seed content, made the build's way:
    loaded, validated, generated, converted and sanitised by the core, read from the HTML cache."""
    cat, problems = catalogue.build(loading.load(CONTENT))
    assert not [p for p in problems if not p.warning]
    generated = [page for page in pages.generate(cat) if page.searchable]
    cache = tmp_path_factory.mktemp("html")
    keys = rendering.render_pages([(p.src_uri, p.text) for p in generated], *markdown_settings(), cache)
    by_uri = {pages.record_uri(entry): entry for entry in cat.records.values()}
    made = []
    for page in generated:
        entry = by_uri[page.src_uri]
        meta = pdf.Meta(title=entry.model.titre, kind_label=type(entry.model).LABEL,
                        url=BASE + rendering.page_url(page.src_uri), updated=UPDATED)
        made.append((page.src_uri, rendering.read(cache, keys[page.src_uri]).html, meta))
    assert {uri.split("/")[0] for uri, _, _ in made} == {"reunions", "cycles", "plans", "fiches"}
    return made


@pytest.fixture(scope="module")
def record_pdfs(record_pages) -> dict[str, bytes]:
    return {uri: pdf.document(page_html, meta) for uri, page_html, meta in record_pages}


@pytest.fixture(scope="module")
def record_texts(record_pdfs) -> dict[str, str]:
    """The visible text of each record's PDF (what pypdf extracts, page headers and footers included)."""
    return {uri: text_of(data) for uri, data in record_pdfs.items()}


# --- Reading a PDF back ------------------------------------------------------------------------

def structure(document: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every structure element (tag, element), in reading order, role-mapped tags as written."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.append((str(node.S)[1:], node))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    walk(kid)
        elif isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)

    walk(document.Root.StructTreeRoot)
    return found


def outline_titles(document: pikepdf.Pdf) -> list[str]:
    titles = []
    with document.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            titles.append(item.title)
            stack[:0] = list(item.children)
    return titles


def _to_unicode(font) -> dict[bytes, str]:
    """A font's ToUnicode map (Typst writes Identity-H fonts: two-byte codes)."""
    mapping = {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for source, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[bytes.fromhex(source)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for low, high, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                code = (int(low, 16) + offset).to_bytes(len(low) // 2, "big")
                mapping[code] = (int(target, 16) + offset).to_bytes(len(target) // 2, "big").decode("utf-16-be")
    return mapping


def tagged_text(document: pikepdf.Pdf) -> dict:
    """The text of each structure element, as assistive technology reads it: the marked content
    (MCIDs) of its descendants, decoded through the fonts' ToUnicode maps; artifacts (header,
    footer, repeated table headers) left out. Keyed by the element's object id."""
    marked: dict[tuple, str] = {}
    for page in document.pages:
        fonts = {name: _to_unicode(font) for name, font in page.Resources.Font.items()}
        stack, font = [], {}
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                properties = operands[1]
                stack.append(int(properties.MCID) if isinstance(properties, pikepdf.Dictionary)
                             and "/MCID" in properties else None)
            elif op == "BMC":
                stack.append(None)
            elif op == "EMC" and stack:
                stack.pop()
            elif op == "Tf":
                font = fonts[str(operands[0])]
            elif op in ("Tj", "TJ", "'", '"') and stack and stack[-1] is not None:
                strings = operands[0] if op == "TJ" else [operands[-1]]
                text = "".join(font.get(bytes(item)[i:i + 2], "") for item in strings
                               if isinstance(item, pikepdf.String) for i in range(0, len(bytes(item)), 2))
                key = (page.objgen, stack[-1])
                marked[key] = marked.get(key, "") + text

    texts: dict = {}

    def walk(node, page) -> str:
        if isinstance(node, int):
            return marked.get((page, node), "")
        if isinstance(node, pikepdf.Array):
            return "".join(walk(kid, page) for kid in node)
        if not isinstance(node, pikepdf.Dictionary):
            return ""
        page = node.Pg.objgen if "/Pg" in node else page
        if node.get("/Type") == "/MCR":
            return marked.get((page, int(node.MCID)), "")
        kids = node.get("/K")
        text = walk(kids, page) if kids is not None else ""
        if "/S" in node:
            texts[node.objgen] = text
        return text

    walk(document.Root.StructTreeRoot, None)
    return texts


def read_aloud(data: bytes, *tags: str) -> list[str]:
    """The text of the structure elements of these types, in reading order."""
    with pikepdf.open(io.BytesIO(data)) as document:
        texts = tagged_text(document)
        return [texts[element.objgen] for tag, element in structure(document) if tag in tags]


def text_of(data: bytes) -> str:
    """The visible text of a PDF's pages (conftest.pdf_text without the document properties)."""
    return pdf_text(data, properties=False)


def squeezed(text: str) -> str:
    """Text without white space, zero-width spaces, soft hyphens: lines break anywhere in a PDF."""
    return re.sub(r"[\s\u200b\u00ad]+", "", html_module.unescape(text))


class HeadingsAndCells(HTMLParser):
    """The text of every heading and table cell of a page's HTML (independently of irev.pdf)."""

    WANTED = {"h1", "h2", "h3", "h4", "h5", "h6", "th", "td"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []  # [tag, text] being read
        self.found: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a" and "headerlink" in (dict(attrs).get("class") or ""):
            self.skip += 1
        elif tag == "div" and "hidden" in dict(attrs):
            self.skip += 1000
        elif tag in self.WANTED:
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if tag == "a" and self.skip % 1000:
            self.skip -= 1
        elif tag == "div" and self.skip >= 1000:
            self.skip -= 1000
        elif tag in self.WANTED and self.open and self.open[-1][0] == tag:
            self.found.append(tuple(self.open.pop()))

    def handle_data(self, data):
        if not self.skip:
            for item in self.open:
                item[1] += data


def headings_and_cells(page_html: str) -> list[tuple[str, str]]:
    reader = HeadingsAndCells()
    reader.feed(page_html)
    return [(tag, text) for tag, text in reader.found if text.strip()]


# --- Seed records ------------------------------------------------------------------------------

def test_every_record_page_is_a_tagged_pdf_ua_1_document(record_pages, record_pdfs):
    for uri, page_html, meta in record_pages:
        with pikepdf.open(io.BytesIO(record_pdfs[uri])) as document:
            with document.open_metadata() as xmp:
                assert xmp.get("pdfuaid:part") == "1", uri
                assert xmp.get("dc:title") == meta.title, uri
            assert document.Root.MarkInfo.Marked is True
            assert str(document.Root.Lang).startswith("fr")
            assert document.Root.ViewerPreferences.DisplayDocTitle is True
            assert str(document.docinfo.Title) == meta.title and str(document.docinfo.Author) == "IREV"
            tags = [tag for tag, _ in structure(document)]
            assert tags.count("H1") == 1, uri
            assert {"H2", "P", "L", "LI", "Lbl", "LBody", "Link"} <= set(tags), uri
            levels = [int(tag[1]) for tag in tags if re.fullmatch(r"H[1-6]", tag)]
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), f"{uri}: a heading level skipped"
            if "<h3" in page_html:
                assert "H3" in tags, uri
            if "<table" in page_html:
                assert {"Table", "TR", "TH", "TD", "THead", "TBody"} <= set(tags), uri
                for _, element in structure(document):
                    if element.S == "/TH":
                        assert any(a.get("/Scope") == "/Column" for a in _attributes(element)), uri


def _attributes(element) -> list:
    attributes = element.get("/A")
    if attributes is None:
        return []
    return list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]


def test_tables_of_the_fiches_and_plans_have_header_cells(record_pages, record_pdfs):
    """The grid of a fiche outil (its Oui / Non columns) and a plan's figures keep their header row."""
    with_tables = [uri for uri, page_html, _ in record_pages if "<table" in page_html]
    assert {uri.split("/")[0] for uri in with_tables} >= {"fiches", "plans", "reunions", "cycles"}
    grid = record_pdfs["fiches/2021-grille-marqueurs-efh-valenciennes-metropole.md"]
    with pikepdf.open(io.BytesIO(grid)) as document:
        headers = [element for tag, element in structure(document) if tag == "TH"]
    assert len(headers) >= 5  # « Question, Partie du dossier CERFA, Question posée », « N°… Oui, Non »


def test_bookmarks_follow_the_headings(record_pages, record_pdfs):
    for uri, page_html, meta in record_pages:
        with pikepdf.open(io.BytesIO(record_pdfs[uri])) as document:
            titles = [squeezed(t) for t in outline_titles(document)]
        wanted = [squeezed(text) for tag, text in headings_and_cells(page_html) if tag.startswith("h")]
        assert titles[0] == squeezed(meta.title)
        assert titles[1:] == wanted[1:], uri  # the page's H1 is the title


def test_fonts_are_the_shipped_ones_all_embedded(record_pdfs):
    shipped = {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique", "DejaVuSansMono"}
    for uri, data in record_pdfs.items():
        with pikepdf.open(io.BytesIO(data)) as document:
            descriptors = [obj for obj in document.objects
                           if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"]
            assert descriptors, uri
            for descriptor in descriptors:
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), uri
                name = str(descriptor.FontName)[1:].split("+")[-1]
                assert name in shipped, f"{uri}: {name}"


def test_every_heading_and_table_cell_is_read_in_order(record_pages, record_pdfs):
    """What a screen reader reads of each heading and cell (the tagged text) is the page's, in order;
    a cell split over two pages is read whole."""
    for uri, page_html, meta in record_pages:
        wanted = headings_and_cells(page_html)
        headings = read_aloud(record_pdfs[uri], "H1", "H2", "H3", "H4", "H5", "H6")
        assert [squeezed(t) for t in headings] == [squeezed(meta.title)] + \
            [squeezed(text) for tag, text in wanted[1:] if tag.startswith("h")], uri
        cells = [squeezed(t) for t in read_aloud(record_pdfs[uri], "TH", "TD")]
        assert [c for c in cells if c] == [squeezed(text) for tag, text in wanted if tag in ("th", "td")], uri


def test_every_heading_and_table_cell_is_in_the_visible_text(record_pages, record_texts):
    for uri, page_html, _ in record_pages:
        text = squeezed(record_texts[uri])
        words = [word for _, cell in headings_and_cells(page_html) for word in cell.split()]
        missing = [word for word in words if squeezed(word) not in text]
        assert missing == [], uri


def test_the_page_frame_says_who_where_and_when(record_pages, record_pdfs, record_texts):
    uri, _, meta = next(item for item in record_pages if item[0].startswith("plans/"))
    text = record_texts[uri]
    pages_count = len(PdfReader(io.BytesIO(record_pdfs[uri])).pages)
    assert pages_count > 1
    for number in range(1, pages_count + 1):
        assert f"Page {number} sur {pages_count}" in text
    assert text.count("IREV — centre de ressources Politique de la ville Hauts-de-France") == pages_count
    assert squeezed(text).count(squeezed(meta.url)) >= pages_count + 1  # every footer, and under the title
    assert "Mis à jour le 12 mars 2024" in text and meta.kind_label in text
    first = pdf.Meta("Titre", "Fiche outil", BASE + "fiches/x/", dt.date(2021, 6, 1))
    assert "Mis à jour le 1er juin 2021" in text_of(pdf.document("<p>x</p>", first))
    undated = text_of(pdf.document("<p>x</p>", pdf.Meta("Titre", "Fiche outil", BASE + "fiches/x/")))
    assert "Mis à jour" not in undated


def test_links_become_absolute_and_the_search_fields_are_left_out(record_pages):
    uri, page_html, meta = next(item for item in record_pages if item[0].startswith("fiches/"))
    assert "data-pagefind-filter" in page_html
    tree = pdf.tree(page_html, meta)
    links = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "a":
                links.append(node["href"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree["body"])
    assert links and all(re.match(r"^(https?://|mailto:|tel:)", href) for href in links)
    assert BASE + "organisations/irev/" in links
    facets = re.findall(r'data-pagefind-filter="type">([^<]+)<', page_html)
    assert facets == ["Fiches outils"] and "Fiches outils" not in str(tree["body"])
    assert "¶" not in text_of(pdf.document(page_html, meta))


def test_same_page_same_bytes(record_pages):
    _, page_html, meta = record_pages[0]
    assert pdf.document(page_html, meta) == pdf.document(page_html, meta)


# --- Images, hostile content --------------------------------------------------------------------

META = pdf.Meta(title="Essai", kind_label="Fiche outil", url=BASE + "fiches/essai/", updated=None)


def test_an_image_is_a_figure_with_its_alternative_text():
    page = sanitize.clean('<p>Voir le plan : <img src="../../pieces-jointes/2022/plan.png" alt="Plan du quartier '
                          'des Provinces"> ci-dessus.</p><p><img src="../../pieces-jointes/deco.png" alt=""></p>'
                          '<p><img src="https://ailleurs.example/x.png" alt="Logo tiers"></p>')
    tree = pdf.tree(page, META)
    assert [node["t"] for node in tree["body"]] == ["p", "figure", "p", "figure", "figure"]
    assert tree["body"][1]["src"] == BASE + "pieces-jointes/2022/plan.png"
    assert tree["body"][4]["src"] == ""  # the sanitiser removed the third-party address; its text stays, as on the site
    data = pdf.document(page, META)
    with pikepdf.open(io.BytesIO(data)) as document:
        figures = [element for tag, element in structure(document) if tag == "Figure"]
    assert [str(f.Alt) for f in figures] == ["Plan du quartier des Provinces", "Image sans description", "Logo tiers"]
    assert "ailleurs" not in text_of(data)


HOSTILE = [
    '#sys.exit(1)', '#read("/etc/passwd")', '#eval("1 + 1")', '#import "@preview/x:0.1.0": *', '$x^2$', '*gras*',
    '_souligné_', '@etiquette', '<label>', '\\', 'a\\b', ']', '[', '#{ panic() }', '} ]) #', '// commentaire',
    '/* bloc */', '= Titre', '- liste', '+ un', '`code`', '```raw```', '~', '--', '---', '...', "l'apostrophe",
    '"guillemets"', '#set page(width: 1pt)', '#show: none', 'https://exemple.org', '\\u{1F600}', '&lt;b&gt;',
    'x' * 500, 'é' * 200,
]


def body_text(data: bytes, meta: pdf.Meta) -> str:
    """The text of a one-page PDF without its frame (header, title block, footer), squeezed."""
    text = squeezed(text_of(data))
    frame_head = squeezed(f"{meta.site_name} {meta.kind_label} {meta.kind_label} {meta.title} Version en ligne : {meta.url}")
    frame_foot = squeezed(f"{meta.url} Page 1 sur 1")
    assert text.startswith(frame_head) and text.endswith(frame_foot), text[:300]
    return text[len(frame_head):-len(frame_foot)]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_shown_as_it_is_and_nothing_else(hostile):
    page = f"<p>{html_module.escape(hostile)}</p>"
    assert body_text(pdf.document(page, META), META) == squeezed(hostile)


def test_hostile_text_in_every_place_of_a_page():
    words = " ".join(HOSTILE[:30])
    page = sanitize.clean(
        f"<h2>{html_module.escape(words)}</h2><ul><li><strong>{html_module.escape(words)}</strong></li></ul>"
        f"<table><thead><tr><th>{html_module.escape(words)}</th></tr></thead>"
        f"<tbody><tr><td><code>{html_module.escape(words)}</code></td></tr></tbody></table>"
        f'<p><a href="../../x/">{html_module.escape(words)}</a></p><pre><code>{html_module.escape(words)}</code></pre>')
    meta = pdf.Meta(title=words, kind_label="#sys.exit() $", url=BASE + "fiches/x/", site_name="] #read(\"x\")")
    data = pdf.document(page, meta)
    text = squeezed(text_of(data))
    assert text.count(squeezed(words)) == 7  # the title, a heading, a list item, two cells, a link, code


def test_hostile_markup_keeps_only_its_text():
    page = ('<script>alert(1)</script><style>p{}</style><p>visible <inconnu>gardé</inconnu></p>'
            '<iframe>jamais</iframe><div hidden><span>facette</span></div>'
            + "<ul><li>" * 120 + "profond" + "</li></ul>" * 120
            + "<blockquote>" * 120 + "<p>citation</p>" + "</blockquote>" * 120
            + "<p>" + "<strong><em>" * 120 + "imbriqué" + "</em></strong>" * 120 + "</p>"
            + '<table><tr><td colspan="100000" rowspan="100000">large</td></tr><tr></tr></table>'
            + '<h1>second titre</h1><h6>six</h6><h2></h2><ol start="-3" type="z"><li>un</li></ol>')
    data = pdf.document(page, META)
    shown = re.sub("[•‣–]", "", body_text(data, META))  # the bullets of the nested lists
    assert shown == squeezed("visible gardé profond citation imbriqué large second titre six 1.un")
    with pikepdf.open(io.BytesIO(data)) as document:
        headings = [tag for tag, _ in structure(document) if re.fullmatch(r"H\d", tag)]
    assert headings == ["H1", "H2", "H3"]  # the second H1 and the H6 placed under the title, in order


def test_a_table_of_two_thousand_rows_breaks_across_pages_with_its_header_repeated():
    rows = "".join(f"<tr><td>{n}</td><td>ligne #{n} $ *</td></tr>" for n in range(2000))
    page = f"<table><thead><tr><th>N°</th><th>Texte</th></tr></thead><tbody>{rows}</tbody></table>"
    data = pdf.document(page, META)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 30
    for number in (1, len(reader.pages) // 2, len(reader.pages) - 1):
        assert reader.pages[number].extract_text().split("\n")[1] == "N° Texte"  # under the page header
    cells = read_aloud(data, "TH", "TD")  # repeated header rows are artifacts: read once
    assert cells == ["N°", "Texte", *(text for n in range(2000) for text in (str(n), f"ligne #{n} $ *"))]


def test_long_words_and_addresses_wrap_inside_the_page():
    word = "anticonstitutionnellementanticonstitutionnellement" * 20
    data = pdf.document(f"<p>{word}</p><table><tr><th>a</th><th>b</th></tr><tr><td>{word}</td><td>x</td></tr></table>",
                        META)
    assert squeezed(body_text(data, META)).count(word) == 2
    with pikepdf.open(io.BytesIO(data)) as document:
        width = float(document.pages[0].MediaBox[2])
        for page in document.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if operator == pikepdf.Operator("Tm"):  # every text run starts inside the page
                    assert 0 <= float(operands[4]) < width


# --- Cache ---------------------------------------------------------------------------------------

def test_a_pdf_is_made_once_then_read_from_the_cache(tmp_path, record_pages):
    _, page_html, meta = record_pages[0]
    before = pdf.compilations
    first = pdf.cached(page_html, meta, tmp_path)
    assert pdf.compilations == before + 1
    assert pdf.cached(page_html, meta, tmp_path) == first and pdf.compilations == before + 1
    [entry] = tmp_path.glob("*/*.pdf")
    assert entry.stem == pdf.key(page_html, meta)
    other = pdf.Meta(meta.title, meta.kind_label, meta.url, dt.date(2025, 1, 2))
    assert pdf.key(page_html, other) != entry.stem and pdf.key(page_html + " ", meta) != entry.stem


def test_a_damaged_entry_is_made_again(tmp_path, record_pages):
    _, page_html, meta = record_pages[0]
    made = pdf.cached(page_html, meta, tmp_path)
    [entry] = tmp_path.glob("*/*.pdf")
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    with entry.open("r+b") as file:  # in place, as through a site's link to it
        file.write(data)
    before = pdf.compilations
    assert pdf.cached(page_html, meta, tmp_path) == made and pdf.compilations == before + 1
    entry.write_bytes(entry.read_bytes()[:100])  # cut short
    assert pdf.cached(page_html, meta, tmp_path) == made and pdf.compilations == before + 2
    (tmp_path / "ledger.json").write_text("{")  # a damaged ledger vouches for no entry
    assert pdf.cached(page_html, meta, tmp_path) == made and pdf.compilations == before + 3
    (tmp_path / "ledger.json").write_text("[" * 100_000)  # nor one too deep to read
    assert pdf.cached(page_html, meta, tmp_path) == made and pdf.compilations == before + 4


def test_an_entry_copied_with_its_cache_is_checked_by_its_hash_not_made_again(tmp_path, record_pages):
    _, page_html, meta = record_pages[0]
    made = pdf.cached(page_html, meta, tmp_path / "cache")
    shutil.copytree(tmp_path / "cache", tmp_path / "copy")  # new inodes and dates, the same bytes
    before = pdf.compilations
    assert pdf.cached(page_html, meta, tmp_path / "copy") == made and pdf.compilations == before
    [entry] = (tmp_path / "copy").glob("*/*.pdf")
    entry.write_bytes(made[:-1] + bytes([made[-1] ^ 1]))  # the same size, other bytes
    os.utime(entry, ns=(0, 0))
    assert pdf.cached(page_html, meta, tmp_path / "copy") == made and pdf.compilations == before + 1


def test_a_warm_build_makes_no_pdf_and_unused_entries_are_pruned(tmp_path, record_pages, record_pdfs):
    items = [(page_html, meta, lambda html=page_html: html) for _, page_html, meta in record_pages]
    keys = pdf.cached_many(iter(items), tmp_path, workers=1)
    assert [pdf.read(tmp_path, k) for k in keys] == list(record_pdfs.values())
    assert [pdf.size(tmp_path, k) for k in keys] == [len(made) for made in record_pdfs.values()]
    stamps = {path: path.stat().st_mtime_ns for path in tmp_path.glob("*/*.pdf")}
    before = pdf.compilations
    assert pdf.cached_many(iter(items), tmp_path, workers=2) == keys
    assert pdf.compilations == before
    assert {path: path.stat().st_mtime_ns for path in tmp_path.glob("*/*.pdf")} == stamps
    assert pdf.cached_many(iter(items[:3]), tmp_path, workers=1, prune=True) == keys[:3]
    assert sorted(path.stem for path in tmp_path.glob("*/*.pdf")) == sorted(keys[:3])
    assert set(json.loads((tmp_path / "ledger.json").read_text())) == set(keys[:3])
    with pytest.raises(RuntimeError, match="relancez"):
        pdf.read(tmp_path, keys[4])


def test_a_cold_build_makes_pdfs_in_worker_processes(tmp_path, record_pages, record_pdfs, monkeypatch):
    monkeypatch.setattr(pdf, "PARALLEL_FROM", 2)
    items = [(page_html, meta, lambda html=page_html: html) for _, page_html, meta in record_pages]
    before = pdf.compilations
    keys = pdf.cached_many(iter(items), tmp_path, workers=2)
    assert pdf.compilations == before  # all made in the workers
    assert [pdf.read(tmp_path, k) for k in keys] == list(record_pdfs.values())  # the same bytes


def test_french_typography_is_shown_and_characters_without_a_glyph_do_not_fail():
    text = "« Œuvre » l’été coûte 10\u00a0€\u202f; ☐ — … 😀 Ελληνικά"
    data = pdf.document(f"<p>{text}</p><p>中文 \ue000 &#0;</p>", META)
    paragraphs = read_aloud(data, "P")
    assert paragraphs[-2:] == [text, "\ufffd\ufffd \ufffd \ufffd"]  # no shipped font has Chinese: a sign, not a failure


def test_structures_within_structures_make_a_valid_document():
    """Nestings that PDF/UA refuses when made naively: a figure in a term, decorations within
    decorations (a struck link), headings and tables in list items, cells and quotes."""
    risky = ('<dl><dt><figure><img src="a.png" alt="dans un terme"></figure></dt><dd><h2>titre</h2></dd></dl>'
             '<p><del>barré <a href="x/">lien <ins>inséré</ins></a></del> <u><s>double</s></u></p>'
             '<ul><li><h3>dans une liste</h3><table><tr><th>a</th></tr><tr><td><blockquote>cité</blockquote></td></tr>'
             '</table></li></ul><h4><a href="y/"><img src="b.png" alt="dans un titre"></a></h4>'
             '<table><tr><td><div class="admonition note"><p class="admonition-title">Note</p><p>t</p></div></td>'
             '<td rowspan="3"><pre><code>code</code></pre></td></tr></table>')
    data = pdf.document(sanitize.clean(risky), META)
    shown = body_text(data, META)
    for text in ("[Image:dansunterme]", "barrélieninséré", "double", "dansuneliste", "cité", "[Image:dansuntitre]",
                 "Note", "code"):
        assert text in shown


# --- In the built site ------------------------------------------------------------------------

def test_every_published_record_offers_its_pdf_with_its_real_size(real_site):
    """Each record page links its PDF, beside it, as « Télécharger la fiche (PDF, 245 Ko) », the size
    that of the file served; the PDF is titled as the page."""
    cat, _ = catalogue.build(loading.load(CONTENT))
    assert cat.records
    for entry in cat.records.values():
        folder = real_site / rendering.page_url(pages.record_uri(entry))
        document = folder / f"{entry.id}.pdf"
        size = attachments.size_label(document.stat().st_size)
        expected = (f'<a href="{entry.id}.pdf" download>Télécharger {type(entry.model).DOCUMENT} '
                    f'(PDF, {size})</a>')
        assert expected in (folder / "index.html").read_text(encoding="utf-8"), entry.id
        with pikepdf.open(document) as made:
            assert str(made.open_metadata().get("dc:title")) == entry.model.titre


def test_no_pdf_for_a_draft_and_none_left_when_a_record_goes(tree, tmp_path):
    """A draft has no PDF; a record unpublished since the last build loses its own."""
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    pdfs = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.pdf"))
    assert pdfs == ["cycles/2021-04-cycle-test/2021-04-cycle-test.pdf",
                    "reunions/2022-03-01-reunion-test/2022-03-01-reunion-test.pdf"]  # not the draft 2022-04-01
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text(encoding="utf-8").replace("statut: publie", "statut: brouillon"),
                      encoding="utf-8")
    assert build_site(tree, site).returncode == 0
    assert [p.name for p in site.rglob("*.pdf")] == ["2021-04-cycle-test.pdf"]
