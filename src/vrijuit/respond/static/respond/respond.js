// Progressive enhancement for the respondent pages (docs/surveys.md). Without this script
// everything still works: the code is pasted on the start page, and the questionnaire is one
// long form with a single send button.
(function () {
  "use strict";
  var DRAFT_PREFIX = "vrijuit-draft";

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

  // 2. The confirmation: the answers were stored, so the tab's draft has served its purpose.
  if (document.getElementById("respond-received")) {
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(DRAFT_PREFIX) === 0) { sessionStorage.removeItem(key); }
      });
    } catch (e) { /* storage off: there is no draft */ }
    return;
  }

  var form = document.getElementById("questionnaire");
  if (!form) { return; }

  // 3. A draft that stays in this tab only: sessionStorage (never localStorage, never the
  //    server, never the URL). It holds the chosen answers and the step the respondent is on,
  //    so a reload or a language switch (a new page load) comes back to the same place.
  var draftKey = form.getAttribute("data-draft-key") || DRAFT_PREFIX;
  var draft = { answers: {}, step: 0, reviewed: false };
  try {
    var stored = JSON.parse(sessionStorage.getItem(draftKey) || "{}");
    if (stored && typeof stored.answers === "object" && stored.answers) { draft.answers = stored.answers; }
    if (stored && typeof stored.step === "number") { draft.step = stored.step; }
    draft.reviewed = !!(stored && stored.reviewed);
  } catch (e) { /* unreadable or off: start empty */ }

  function saveDraft() {
    try { sessionStorage.setItem(draftKey, JSON.stringify(draft)); } catch (e) { /* full or off */ }
  }

  function radiosNamed(name) {
    return form.querySelectorAll('input[type=radio][name="' + CSS.escape(name) + '"]');
  }

  Object.keys(draft.answers).forEach(function (name) {
    var radios = radiosNamed(name);
    var chosen = Array.prototype.some.call(radios, function (r) { return r.checked; });
    if (chosen) { return; } // the server's copy wins (a refused submit shows what was sent)
    Array.prototype.forEach.call(radios, function (radio) {
      if (radio.value === draft.answers[name]) { radio.checked = true; }
    });
  });
  form.addEventListener("change", function (event) {
    if (event.target.type !== "radio") { return; }
    draft.answers[event.target.name] = event.target.value;
    saveDraft();
  });

  // 4. One step at a time: the introduction, one part per scale, the check page. The steps
  //    live in history entries of this same URL (pushState with a state object and no URL),
  //    so the browser's Back and Forward move between parts and nothing reaches a log.
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var reviewStep = steps.length - 1;
  var announcer = document.getElementById("step-announcer");
  var pageTitle = document.title;
  var current = 0;

  function announce(text) {
    // Emptied first, so that the same text twice (Back, then Forward) is announced again.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function unanswered(step) {
    var open = [];
    Array.prototype.forEach.call(step.querySelectorAll("fieldset.question"), function (question) {
      if (!question.querySelector("input[type=radio]:checked")) { open.push(question); }
    });
    return open;
  }

  function buildReview() {
    var list = document.getElementById("review-open-parts");
    list.textContent = "";
    var total = 0;
    steps.slice(1, reviewStep).forEach(function (step) {
      var open = unanswered(step);
      if (!open.length) { return; }
      total += open.length;
      var heading = document.createElement("h3");
      heading.textContent = step.querySelector("h2").textContent;
      var items = document.createElement("ul");
      items.className = "review-list";
      open.forEach(function (question) {
        var link = document.createElement("a");
        link.href = "#" + question.id;
        link.setAttribute("data-jump", question.id);
        link.textContent = question.querySelector("legend").textContent.replace(/\s+/g, " ").trim();
        var entry = document.createElement("li");
        entry.appendChild(link);
        items.appendChild(entry);
      });
      list.appendChild(heading);
      list.appendChild(items);
    });
    document.getElementById("review-open-count").textContent = String(total);
    document.getElementById("review-open").hidden = total === 0;
    document.getElementById("review-complete").hidden = total !== 0;
  }

  function show(index, how) {
    index = Math.max(0, Math.min(reviewStep, index));
    current = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    if (index === reviewStep) {
      buildReview();
      draft.reviewed = true;
    }
    Array.prototype.forEach.call(form.querySelectorAll(".back-to-review"), function (button) {
      button.hidden = !draft.reviewed;
    });
    draft.step = index;
    saveDraft();
    // Each step is a page to the respondent: its title says where they are (WCAG 2.4.2).
    document.title = index === 0 ? pageTitle : steps[index].getAttribute("data-announce") + " · " + pageTitle;
    if (how.push) { history.pushState({ respondStep: index }, ""); }
    if (how.focus) {
      // A new page starts at its top (title and progress in view), as a page load would.
      window.scrollTo(0, 0);
      steps[index].querySelector("h2").focus({ preventScroll: true });
      announce(steps[index].getAttribute("data-announce"));
    }
  }

  form.addEventListener("click", function (event) {
    var jump = event.target.closest("[data-jump]");
    if (jump) {
      event.preventDefault(); // the item's id stays out of the address bar
      var question = document.getElementById(jump.getAttribute("data-jump"));
      show(steps.indexOf(question.closest("[data-step]")), { push: true, focus: true });
      question.querySelector("input[type=radio]").focus();
      return;
    }
    var go = event.target.closest("[data-go]");
    if (!go) { return; }
    var where = go.getAttribute("data-go");
    var target = where === "next" ? current + 1 : where === "previous" ? current - 1 : reviewStep;
    show(target, { push: true, focus: true });
  });

  // Enter in a question submits a form implicitly; only the check page may send.
  form.addEventListener("submit", function (event) {
    if (current !== reviewStep) { event.preventDefault(); }
  });

  window.addEventListener("popstate", function (event) {
    var state = event.state;
    if (state && typeof state.respondStep === "number") {
      show(state.respondStep, { push: false, focus: true });
    }
  });

  // Ready: switch from the long form to one step at a time. A reload keeps this entry's
  // step (history.state); a new load, such as after the language switch, takes the draft's.
  Array.prototype.forEach.call(form.querySelectorAll(".step-nav, .with-script"), function (el) {
    el.hidden = false;
  });
  Array.prototype.forEach.call(form.querySelectorAll(".without-script"), function (el) {
    el.hidden = true;
  });
  form.classList.add("paged");
  var start = history.state && typeof history.state.respondStep === "number"
    ? history.state.respondStep : draft.step;
  show(start, { push: false, focus: false });
  history.replaceState({ respondStep: current }, "");
})();
