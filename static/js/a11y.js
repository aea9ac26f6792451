// Keyboard access to tables that scroll (WCAG 2.1.1): a .table-wrap whose table is wider or
// taller than it becomes a focusable region named after its table, so the arrow keys scroll
// it; one that fits (a wide screen, a short table) stays out of the tab order.
(() => {
  const nameOf = (wrap) => {
    const caption = wrap.querySelector("caption");
    const section = wrap.closest("[aria-labelledby]");
    const heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    return ((caption || heading)?.textContent || "Table").trim();
  };
  const update = () => {
    for (const wrap of document.querySelectorAll(".table-wrap")) {
      const scrolls = wrap.scrollWidth > wrap.clientWidth || wrap.scrollHeight > wrap.clientHeight;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", nameOf(wrap));
        wrap.dataset.scrollRegion = "";
      } else if (!scrolls && "scrollRegion" in wrap.dataset) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.scrollRegion;
      }
    }
  };
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("toggle", update, true); // a <details> table shown or hidden
  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
})();
