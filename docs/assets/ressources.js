// Resource library: text search and facets over the Pagefind index, usable with the keyboard.
// Within a facet the ticked values are alternatives (any); across facets they all apply.
(() => {
  const root = document.getElementById("bibliotheque");
  if (!root) return;
  const FACETS = [
    ["type", "Type de ressource"], ["etape", "Étape du plan"], ["theme", "Thématique"],
    ["territoire", "Territoire"], ["annee", "Année"], ["public", "Public"], ["organisation", "Organisation"],
  ];
  const PAGE_SIZE = 10;
  const SHOWN_VALUES = 8;
  const bundle = new URL(root.dataset.pagefind, location.href);
  const input = root.querySelector("#bibliotheque-q");
  const facetsBox = root.querySelector(".irev-library__facets");
  const status = root.querySelector(".irev-library__status");
  const list = root.querySelector(".irev-library__results");
  const more = root.querySelector(".irev-library__more");
  const expanded = new Set();
  const state = readUrl();
  let pagefind, parts = 1, results = [], shown = 0, generation = 0;

  function readUrl() {
    const params = new URLSearchParams(location.search);
    const filters = {};
    for (const [key] of FACETS) filters[key] = params.getAll(key);
    return { q: params.get("q") || "", filters };
  }

  function writeUrl() {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    for (const [key, values] of Object.entries(state.filters)) values.forEach((v) => params.append(key, v));
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
  }

  function pagefindFilters(except) {
    const filters = {};
    for (const [key, values] of Object.entries(state.filters)) {
      if (key !== except && values.length) filters[key] = { any: values };
    }
    return filters;
  }

  function search(filters) {
    const query = state.q.trim() || null;
    return pagefind.search(query, query ? { filters } : { filters, sort: { date: "desc" } });
  }

  // The list itself. Browsing lists the newest first, but Pagefind sorts each part of the
  // index on its own and interleaves the parts: as parts hold consecutive dates, newest
  // first, each is asked alone (by the "partie" filter given when merging) and put end to end.
  async function listing(filters) {
    if (state.q.trim() || parts < 2) return search(filters);
    const answers = await Promise.all(Array.from({ length: parts }, (_, i) => search({ ...filters, partie: String(i) })));
    return { results: answers.flatMap((answer) => answer.results) };
  }

  let facetsLoaded = null;
  function loadFacets() {
    // The facet data is the largest part of the index: a first text search shows its
    // results before fetching it.
    facetsLoaded = facetsLoaded || pagefind.filters();
    return facetsLoaded;
  }

  async function update() {
    const mine = ++generation;
    writeUrl();
    const anyFilter = Object.values(state.filters).some((values) => values.length);
    if (!state.q.trim() || anyFilter) await loadFacets();
    const main = await listing(pagefindFilters(null));
    if (mine !== generation) return; // a newer update is under way
    results = main.results;
    shown = 0;
    list.replaceChildren();
    await showMore();
    // Announced once the results are on the page.
    status.textContent = results.length === 0 ? "Aucune ressource ne correspond à cette recherche."
      : `${results.length} ressource${results.length > 1 ? "s" : ""}`;
    root.dataset.firstResultsAt ??= performance.now(); // for the benchmark: what a first query costs
    await loadFacets();
    // Counts for a facet ignore its own ticks, so other values of it stay choosable.
    const perFacet = await Promise.all(FACETS.map(([key]) => search(pagefindFilters(key))));
    if (mine !== generation) return;
    renderFacets(perFacet.map((s, i) => s.filters[FACETS[i][0]] || {}));
  }

  async function showMore() {
    const batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    const items = await Promise.all(batch.map((r) => r.data()));
    for (const item of items) list.append(renderResult(item));
    more.hidden = shown >= results.length;
  }

  function renderResult(item) {
    const li = document.createElement("li");
    li.className = "irev-result";
    const title = document.createElement("a");
    title.href = item.url;
    title.textContent = item.meta.title;
    const heading = document.createElement("h2");
    heading.className = "irev-result__title";
    heading.append(title);
    const meta = document.createElement("p");
    meta.className = "irev-result__meta";
    meta.textContent = [item.meta.type, item.meta.date, item.meta.territoire].filter(Boolean).join(" · ");
    li.append(heading, meta);
    if (item.meta.pdf) {
      // The record's PDF, beside its page (irev/site.py): named with the title for screen readers.
      const download = document.createElement("a");
      download.href = new URL(item.meta.pdf, new URL(item.url, location.href)).href;
      download.setAttribute("download", "");
      download.textContent = `Télécharger (PDF, ${item.meta.pdf_poids})`;
      download.setAttribute("aria-label", `${download.textContent} : ${item.meta.title}`);
      const line = document.createElement("p");
      line.className = "irev-result__download";
      line.append(download);
      li.append(line);
    }
    if (state.q.trim() && item.excerpt) {
      const excerpt = document.createElement("p");
      excerpt.className = "irev-result__excerpt";
      excerpt.innerHTML = item.excerpt; // Pagefind escapes the text and adds <mark> only
      li.append(excerpt);
    }
    return li;
  }

  function renderFacets(counts) {
    const focused = document.activeElement && document.activeElement.id;
    facetsBox.replaceChildren(...FACETS.map(([key, label], i) => renderFacet(key, label, counts[i])));
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  function renderFacet(key, label, counts) {
    const chosen = state.filters[key];
    const values = Object.keys(counts).filter((v) => counts[v] > 0 || chosen.includes(v));
    values.sort(key === "annee" ? (a, b) => b.localeCompare(a)
      : (a, b) => (counts[b] || 0) - (counts[a] || 0) || a.localeCompare(b, "fr"));
    const fieldset = document.createElement("fieldset");
    fieldset.className = "irev-facet";
    const legend = document.createElement("legend");
    legend.textContent = label;
    fieldset.append(legend);
    const visible = expanded.has(key) ? values : values.slice(0, SHOWN_VALUES);
    visible.forEach((value, index) => {
      const id = `facette-${key}-${index}`;
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.name = key;
      box.value = value;
      box.checked = chosen.includes(value);
      box.addEventListener("change", () => {
        state.filters[key] = box.checked ? [...chosen, value] : chosen.filter((v) => v !== value);
        update();
      });
      const text = document.createElement("label");
      text.htmlFor = id;
      text.textContent = `${value} (${counts[value] || 0})`;
      const row = document.createElement("div");
      row.className = "irev-facet__value";
      row.append(box, text);
      fieldset.append(row);
    });
    if (values.length > SHOWN_VALUES) {
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.id = `facette-${key}-plus`;
      toggle.className = "irev-facet__toggle";
      const hidden = values.length - SHOWN_VALUES;
      toggle.textContent = expanded.has(key) ? "Afficher moins" : hidden > 1 ? `Afficher les ${hidden} autres` : "Afficher l'autre";
      toggle.addEventListener("click", () => {
        expanded.has(key) ? expanded.delete(key) : expanded.add(key);
        update();
      });
      fieldset.append(toggle);
    }
    return fieldset;
  }

  // On a phone the filters start folded, so the results are in sight.
  if (window.matchMedia("(max-width: 45em)").matches) root.querySelector(".irev-library__filters").open = false;

  let timer;
  input.value = state.q;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = input.value; update(); }, 250);
  });
  root.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = input.value;
    update();
  });
  more.addEventListener("click", showMore);

  import(new URL("pagefind.js", bundle).href).then(async (module) => {
    pagefind = module;
    const baseUrl = new URL("..", bundle).pathname;
    // A large archive is indexed in parts (see irev/search.py): merge them into one search.
    const names = await fetch(new URL("parts.json", bundle)).then((r) => (r.ok ? r.json() : []));
    parts = names.length + 1;
    await pagefind.options({ baseUrl, mergeFilter: { partie: "0" } });
    await Promise.all(names.map((name, i) => pagefind.mergeIndex(new URL(name, bundle).pathname,
      { baseUrl, mergeFilter: { partie: String(i + 1) } })));
    await update();
  }).catch(() => {
    status.textContent = "La recherche est indisponible : l'index n'a pas pu être chargé.";
  });
})();
