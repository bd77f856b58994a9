// Application editor. Everything here is an enhancement: without it, empty rows remain for new
// budget lines, emptying a row removes it, and the server computes every total on saving.
(() => {
  "use strict";

  // A number as the reader typed it, as the server reads it: "4.500.000", "4 500 000" and
  // "4,500,000" are four and a half million; "12,5" is twelve and a half where "," marks
  // decimals. Returns NaN when it is not a number.
  const parseNumber = (text, decimalMark) => {
    let value = String(text || "").replace(/[\s\u00a0\u202f$€£]|US|CLP|EUR/g, "");
    if (!value) return 0;
    const marks = value.match(/[.,]/g) || [];
    if (marks.length) {
      let mark = "";
      if (new Set(marks).size === 2) {
        mark = value[Math.max(value.lastIndexOf("."), value.lastIndexOf(","))];
      } else if (marks.length === 1) {
        const decimals = value.split(marks[0]).pop();
        mark = marks[0] === decimalMark || decimals.length !== 3 ? marks[0] : "";
      }
      for (const grouping of [".", ","]) {
        if (grouping !== mark) value = value.split(grouping).join("");
      }
      if (mark) value = value.replace(mark, ".");
    }
    return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  };

  const setUpBudget = () => {
    const table = document.querySelector("[data-budget]");
    if (!table) return;
    const rows = table.querySelector("[data-budget-rows]");
    const template = document.querySelector("[data-budget-template]");
    const totalForms = document.querySelector('input[name="lines-TOTAL_FORMS"]');
    const maxForms = Number(document.querySelector('input[name="lines-MAX_NUM_FORMS"]')?.value || 40);
    const addButton = document.querySelector("[data-budget-add]");
    const decimals = Number(table.dataset.decimals || 0);
    const decimalMark = table.dataset.decimalMark || ",";
    const moneyTemplate = table.dataset.money || "{n}";
    const thousandsMark = table.dataset.thousandsMark ?? ".";
    // Grouped as the server writes amounts on the same page, whatever the browser's locale.
    const grouped = (value) => {
      const [whole, fraction] = Math.abs(value).toFixed(decimals).split(".");
      const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousandsMark);
      return (value < 0 ? "-" : "") + digits + (fraction ? decimalMark + fraction : "");
    };
    const money = (value) => moneyTemplate.replace("{n}", grouped(value));
    const echo = document.querySelector("[data-budget-echo]");

    const recompute = () => {
      let amount = 0;
      let coFunding = 0;
      rows.querySelectorAll("[data-budget-row]").forEach((row) => {
        if (row.hidden) return;
        const [requested, cofunded] = row.querySelectorAll('input[name$="-amount"], input[name$="-co_funding"]');
        const a = parseNumber(requested?.value, decimalMark);
        const c = parseNumber(cofunded?.value, decimalMark);
        if (Number.isFinite(a)) amount += a;
        if (Number.isFinite(c)) coFunding += c;
      });
      const outputs = {
        amount,
        co_funding: coFunding,
        all: amount + coFunding,
      };
      document.querySelectorAll("[data-budget-total]").forEach((output) => {
        output.textContent = money(outputs[output.dataset.budgetTotal] || 0);
      });
      if (echo) echo.textContent = money(amount);
    };

    const wire = (row) => {
      const remove = row.querySelector("[data-budget-remove]");
      if (!remove) return;
      remove.hidden = false;
      remove.addEventListener("click", () => {
        // An empty row is a removed line: the server skips it.
        row.querySelectorAll("input, select").forEach((control) => {
          control.value = "";
        });
        row.hidden = true;
        recompute();
        const next = rows.querySelector("[data-budget-row]:not([hidden]) select");
        (next || addButton)?.focus();
      });
    };

    rows.querySelectorAll("[data-budget-row]").forEach(wire);
    table.addEventListener("input", recompute);
    table.addEventListener("change", recompute);

    if (addButton && template && totalForms) {
      addButton.hidden = false;
      addButton.addEventListener("click", () => {
        const index = Number(totalForms.value);
        if (index >= maxForms) return;
        const html = template.innerHTML.replace(/__prefix__/g, String(index));
        rows.insertAdjacentHTML("beforeend", html);
        totalForms.value = String(index + 1);
        const row = rows.lastElementChild;
        wire(row);
        row.querySelector("select")?.focus();
        addButton.disabled = index + 1 >= maxForms;
      });
    }
    recompute();
  };

  const setUpPeople = () => {
    const box = document.querySelector("[data-people]");
    if (!box) return;
    const output = box.querySelector("[data-people-total]");
    const sum = () => {
      let total = 0;
      box.querySelectorAll('input[type="number"]').forEach((input) => {
        const n = Number.parseInt(input.value, 10);
        if (Number.isFinite(n) && n > 0) total += n;
      });
      output.textContent = new Intl.NumberFormat(document.documentElement.lang || "es").format(total);
    };
    box.addEventListener("input", sum);
  };

  // Leaving the page (or sending another of its forms) with unsaved changes in the main form
  // asks first: the consortium and attachments forms do not carry the text typed above.
  const setUpUnsaved = () => {
    const form = document.querySelector("[data-app-form]");
    if (!form) return;
    let dirty = false;
    form.addEventListener("input", () => {
      dirty = true;
    });
    form.addEventListener("submit", () => {
      dirty = false;
    });
    window.addEventListener("beforeunload", (event) => {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
  };

  const focusProblem = () => {
    const problem = document.querySelector("[data-focus-on-load]");
    if (problem) problem.focus();
  };

  const start = () => {
    setUpBudget();
    setUpPeople();
    setUpUnsaved();
    focusProblem();
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
