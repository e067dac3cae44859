// Agenda (irev/agenda.py): what is still to come is decided here, when the page is read, from the
// dates its items carry, since a static page cannot know when it is read. As built, the page splits
// at its build day and says so (#agenda-etat); this script says the day it used instead.
// An item is to come while today (in Paris), cut to the length of its `data-fin` (a day, a month or a
// year), is not after it; `data-tri` is where it sorts (its day, then its start).
(() => {
  const now = new Date();
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit",
  }).formatToParts(now).map((part) => [part.type, part.value]));
  const today = `${parts.year}-${parts.month}-${parts.day}`;
  const toCome = (item) => today.slice(0, item.dataset.fin.length) <= item.dataset.fin;
  const events = (list) => [...list.querySelectorAll("li[data-fin]")];
  const bySort = (a, b) => (a.dataset.tri < b.dataset.tri ? -1 : a.dataset.tri > b.dataset.tri ? 1 : 0);

  // An empty list or block says so, in its own words (data-vide).
  function note(tag, box) {
    const element = document.createElement(tag);
    element.textContent = box.dataset.vide;
    return element;
  }

  function agendaPage() {
    const upcoming = document.getElementById("agenda-a-venir");
    const past = document.getElementById("agenda-passes");
    if (!upcoming || !past) return;
    const all = [...events(upcoming), ...events(past)].sort(bySort);
    const next = all.filter(toCome);
    upcoming.replaceChildren(...(next.length ? next : [note("li", upcoming)]));
    const years = new Map();
    for (const item of all.filter((item) => !toCome(item)).reverse()) {
      const year = item.dataset.tri.slice(0, 4);
      if (!years.has(year)) years.set(year, []);
      years.get(year).push(item);
    }
    const blocks = [];
    for (const [year, items] of years) {
      const heading = document.createElement("h3");
      heading.id = `annee-${year}`;
      heading.textContent = year;
      const list = document.createElement("ul");
      list.className = "irev-agenda";
      list.append(...items);
      blocks.push(heading, list);
    }
    past.replaceChildren(...(blocks.length ? blocks : [note("p", past)]));
    const undated = document.getElementById("agenda-a-preciser");
    if (undated) {
      const items = events(undated);
      for (const item of items) item.hidden = !toCome(item);
      const empty = undated.querySelector("li:not([data-fin])");
      if (items.some(toCome)) empty?.remove();
      else if (!empty) undated.append(note("li", undated));
    }
  }

  // The home page: the first `data-nombre` events still to come.
  function nextEvents() {
    const list = document.getElementById("agenda-prochains");
    if (!list) return;
    const next = events(list).filter(toCome);
    for (const item of events(list)) item.hidden = !next.slice(0, Number(list.dataset.nombre)).includes(item);
    const empty = list.querySelector("li:not([data-fin])");
    if (next.length) empty?.remove();
    else if (!empty) list.append(note("li", list));
  }

  agendaPage();
  nextEvents();
  const state = document.getElementById("agenda-etat");
  if (state) {
    const spoken = new Intl.DateTimeFormat("fr-FR", {
      timeZone: "Europe/Paris", day: "numeric", month: "long", year: "numeric",
    }).format(now);
    state.textContent = `Agenda au ${spoken.replace(/^1 /, "1er ")}, date de votre appareil.`;
  }
})();
