// Progressive enhancement for the respondent pages (docs/surveys.md). Without it, everything works.
(function () {
  "use strict";
  // 1. The invitation link carries the token in the fragment (#...), which the browser never
  //    sends to the server. Move it into the POSTed form, drop it from the address bar and
  //    history, and submit.
  var codeForm = document.getElementById("code-form");
  if (codeForm && window.location.hash.length > 1) {
    var token = decodeURIComponent(window.location.hash.slice(1));
    history.replaceState(null, "", window.location.pathname);
    codeForm.querySelector("input[name=code]").value = token;
    var note = document.getElementById("respond-opening");
    if (note) { note.hidden = false; }
    codeForm.submit();
    return;
  }
  // 2. A draft that stays in this tab only: sessionStorage (never localStorage, never the server).
  var form = document.getElementById("questionnaire");
  if (!form) { return; }
  var KEY = "vrijuit-draft";
  var draft = {};
  try { draft = JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch (e) { draft = {}; }
  Object.keys(draft).forEach(function (name) {
    var input = form.querySelector('input[type=radio][name="' + CSS.escape(name) + '"][value="' + CSS.escape(draft[name]) + '"]');
    if (input && !form.querySelector('input[name="' + CSS.escape(name) + '"]:checked')) { input.checked = true; }
  });
  form.addEventListener("change", function (event) {
    if (event.target.type !== "radio") { return; }
    draft[event.target.name] = event.target.value;
    try { sessionStorage.setItem(KEY, JSON.stringify(draft)); } catch (e) { /* storage full or off */ }
  });
  form.addEventListener("submit", function () { sessionStorage.removeItem(KEY); });
})();
