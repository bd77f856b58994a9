// Actor registry pages. Everything here is an enhancement: the pages work without it.
(() => {
  "use strict";

  // Directory filters: folded away on phones (the results come first), always open on wide
  // screens where they sit beside the results.
  const setUpFacets = () => {
    const facets = document.querySelector("[data-facets]");
    if (!facets) return;
    const wide = window.matchMedia("(min-width: 56rem)");
    facets.open = wide.matches;
    wide.addEventListener("change", () => {
      if (wide.matches) facets.open = true;
    });
  };

  // Actor form: fields that only apply to some kinds of actor (legal form and size for
  // organizations and groups; the sensitive-data section for people) are shown for those.
  const setUpKindFields = () => {
    const form = document.querySelector("[data-actor-form]");
    if (!form) return;
    const sync = () => {
      const checked = form.querySelector('input[name="kind"]:checked');
      const kind = checked ? checked.value : "";
      form.querySelectorAll("[data-kinds]").forEach((element) => {
        const kinds = element.dataset.kinds.split(" ");
        const shown = !kind || kinds.includes(kind);
        element.hidden = !shown;
        element.querySelectorAll("input, select, textarea").forEach((control) => {
          control.disabled = !shown;
        });
      });
    };
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") sync();
    });
    sync();
  };

  // Grouped checkbox lists: keep each group's "n selected" note current.
  const setUpGroupCounts = () => {
    document.addEventListener("change", (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
      const group = box.closest("[data-check-group]");
      if (!group) return;
      const note = group.querySelector("[data-check-count]");
      if (!note) return;
      const n = group.querySelectorAll('input[type="checkbox"]:checked').length;
      note.hidden = n === 0;
      note.textContent = note.dataset.template.replace("%s", String(n));
    });
  };

  // Directory addresses stay short and shareable: empty filters and the default order are
  // left out of the requests (and so of the address htmx pushes to the history).
  const setUpCompactQueries = () => {
    document.addEventListener("htmx:configRequest", (event) => {
      const element = event.detail.elt;
      if (!(element instanceof HTMLElement) || !element.matches("[data-compact-query]")) return;
      const data = event.detail.formData;
      for (const key of new Set(data.keys())) {
        const values = data.getAll(key).filter((value) => value !== "");
        data.delete(key);
        values.forEach((value) => data.append(key, value));
      }
      if (data.get("sort") === "name") data.delete("sort");
    });
  };

  // After a refused submission, move focus to the summary of problems so that keyboard and
  // screen-reader users land on it.
  const focusProblems = () => {
    const summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  };

  const start = () => {
    focusProblems();
    setUpFacets();
    setUpKindFields();
    setUpGroupCounts();
  };
  setUpCompactQueries();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
