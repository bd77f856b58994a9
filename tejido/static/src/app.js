// Progressive enhancement for every page: htmx, and small behaviours that pages opt into.
import htmx from "htmx.org";

window.htmx = htmx;

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form?.requestSubmit();
  }
});
