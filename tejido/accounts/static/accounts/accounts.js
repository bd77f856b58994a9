// Small enhancements of the accounts pages; every page works without them.
(() => {
  // Copy buttons are useless without JavaScript, so they only appear when it runs.
  document.documentElement.classList.add("js");

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const input = document.getElementById(button.dataset.copy);
    if (!input) return;
    input.select();
    const done = () => {
      button.textContent = button.dataset.copied;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, () => {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // Fields that matter for one role only (the organization of a representative) hide otherwise.
  const syncRoleFields = (root) => {
    root.querySelectorAll("[data-role-only]").forEach((fields) => {
      const role = fields.closest("form")?.querySelector("select[name=role]");
      if (role) fields.hidden = role.value !== fields.dataset.roleOnly;
    });
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name=role]")) syncRoleFields(event.target.form || document);
  });
  document.addEventListener("DOMContentLoaded", () => syncRoleFields(document));
  document.addEventListener("htmx:afterSettle", () => syncRoleFields(document));
})();
