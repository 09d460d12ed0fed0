// Accessibility basics checked in the page (axe-core is not available offline).
// Returns a list of problems; helpers.accessibility_problems runs it.
() => {
  const problems = [];
  const lang = document.documentElement.getAttribute("lang");
  if (!lang) problems.push("<html> has no lang attribute");
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements, expected exactly one`);
  if (!document.querySelector('a[href="#main"]') || !document.getElementById("main"))
    problems.push("no skip link to #main");
  const hidden = (el) => el.type === "hidden" || el.closest("[hidden]") !== null;
  const nameOf = (el) => {
    const labelled = el.getAttribute("aria-labelledby");
    if (labelled) return labelled.split(/\s+/).map((id) => document.getElementById(id)?.textContent || "").join(" ").trim();
    if (el.getAttribute("aria-label")) return el.getAttribute("aria-label").trim();
    if (el.labels && el.labels.length) return Array.from(el.labels).map((l) => l.textContent).join(" ").trim();
    if (el.tagName === "BUTTON" || (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type)))
      return (el.textContent || el.value || "").trim();
    return (el.getAttribute("title") || "").trim();
  };
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (!hidden(el) && !nameOf(el)) problems.push(`form control without a name: ${el.outerHTML.slice(0, 120)}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`image without alt: ${img.outerHTML.slice(0, 120)}`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.closest("[aria-hidden=true]") || svg.getAttribute("role") === "presentation") continue;
    if (svg.parentElement && svg.parentElement.closest("svg")) continue;
    const named = svg.querySelector(":scope > title") || svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby");
    if (!named) problems.push(`svg without a title: ${svg.outerHTML.slice(0, 120)}`);
  }
  for (const a of document.querySelectorAll("a[href]")) {
    if (!(a.textContent || "").trim() && !a.getAttribute("aria-label") && !a.querySelector("img[alt], svg title"))
      problems.push(`link without text: ${a.outerHTML.slice(0, 120)}`);
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push(`id "${id}" used ${n} times`);
  return problems;
}
