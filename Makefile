# Two commands for a newcomer: `make serve` (site on http://127.0.0.1:8000) and `make test`.
# Both create .venv from the pinned requirements on first use.
# CONTENT_DIR=/other/tree points every target at another content tree.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CONTENT_DIR ?= $(CURDIR)/content
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve site check test audit schemas nouveau bench clean participants

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

serve: $(STAMP)  ## build and serve the site, reloading on edits (IREV_BROUILLONS=1 shows drafts)
	$(BIN)/mkdocs serve --dirty -a 127.0.0.1:8000

site: $(STAMP)  ## build the public site into site/, failing on any content problem (swapped in whole: see irev/atomic.py)
	$(BIN)/mkdocs build --strict --clean

check: $(STAMP)  ## validate the content alone and list every problem
	$(BIN)/python -m irev check

participants: $(STAMP)  ## a registration form's export as a meeting's participants: make participants FICHIER=inscrits.csv REUNION=id [SORTIE=new-file.yml]
	$(BIN)/python -m irev participants "$(FICHIER)" --reunion "$(REUNION)" $(if $(SORTIE),--sortie "$(SORTIE)")

schemas: $(STAMP)  ## regenerate the JSON Schemas in schemas/ from the models
	$(BIN)/python -m irev schemas

# A make variable's value quoted for the shell, by its name (titles hold apostrophes and commas).
quote = '$(subst ','\'',$(value $(1)))'

nouveau: $(STAMP)  ## write a new draft to fill in: make nouveau TYPE=reunion TITRE="Réseau LCD" DATE=2026-11-27 (TYPE=cycle, plan, fiche alike); TYPE=personne PRENOM=… NOM=… or TYPE=organisation NOM=… appends an entry to its registry; ID=… chooses the id
	$(BIN)/python -m irev nouveau $(call quote,TYPE) --titre $(call quote,TITRE) --date $(call quote,DATE) \
		--nom $(call quote,NOM) --prenom $(call quote,PRENOM) --id $(call quote,ID)

test: $(STAMP)  ## run every test (browser tests need Debian's chromium: see README)
	$(BIN)/python -m pytest

audit: $(STAMP)  ## the site's audit alone: axe, keyboard focus, Nu HTML Checker, every internal link, external ones listed (also in make test)
	$(BIN)/python -m pytest -s tests/test_accessibility.py tests/test_html.py tests/test_links.py tests/test_corpus_audit.py

clean:  ## remove the site, its build folder (.site.irev-build: lock, build under way) and the caches
	rm -rf site .site.irev-build .cache

bench: $(STAMP)  ## measure check, builds, search and preview at 1,000 and 10,000 records: benchmarks/results.md
	$(BIN)/python scripts/bench.py
