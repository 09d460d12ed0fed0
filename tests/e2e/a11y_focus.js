// The focused element and whether it shows a focus indicator (outline or box-shadow).
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {tag: el.tagName, text: (el.textContent || "").trim().slice(0, 40), visible: outline || shadow};
}
