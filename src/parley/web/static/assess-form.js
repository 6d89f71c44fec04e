// The assessment form: one Tab stop per group of check boxes (arrow keys move inside it), and
// the draft kept in this browser (localStorage) until it is submitted or discarded.
(function () {
  "use strict";
  var form = document.getElementById("assess-form");
  if (!form) { return; }
  var KEY = "parley.assess.draft";

  function roving(group) {
    var boxes = Array.prototype.slice.call(group.querySelectorAll("input[type=checkbox]"));
    if (boxes.length < 2) { return; }
    function activate(box) { boxes.forEach(function (b) { b.tabIndex = b === box ? 0 : -1; }); }
    function first() { return boxes.filter(function (b) { return b.checked; })[0] || boxes[0]; }
    activate(first());
    group.addEventListener("focusin", function (e) {
      if (boxes.indexOf(e.target) >= 0) { activate(e.target); }
    });
    group.addEventListener("keydown", function (e) {
      var i = boxes.indexOf(document.activeElement), j = null;
      if (i < 0) { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowRight") { j = (i + 1) % boxes.length; }
      else if (e.key === "ArrowUp" || e.key === "ArrowLeft") { j = (i - 1 + boxes.length) % boxes.length; }
      else if (e.key === "Home") { j = 0; } else if (e.key === "End") { j = boxes.length - 1; }
      if (j === null) { return; }
      e.preventDefault();
      activate(boxes[j]);
      boxes[j].focus();
    });
    group.refresh = function () { activate(first()); };
  }
  var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset.codes"));
  groups.forEach(roving);

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button"
        && el.name !== "workspace" && el.name !== "document_paper";
    });
  }
  function collect() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") {
        data[el.name] = data[el.name] || [];
        if (el.checked) { data[el.name].push(el.value); }
      } else { data[el.name] = el.value; }
    });
    return data;
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(collect())); } catch (e) { /* private mode */ }
  }
  function restore(data) {
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "checkbox") { el.checked = data[el.name].indexOf(el.value) >= 0; }
      else { el.value = data[el.name]; }
    });
    groups.forEach(function (g) { if (g.refresh) { g.refresh(); } });
  }
  function drop() { try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ } }

  var notice = document.getElementById("draft-notice");
  if (form.dataset.draft === "restore") {
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { stored = null; }
    if (stored && typeof stored === "object") {
      restore(stored);
      if (notice) { notice.hidden = false; }
    }
  }
  var discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      drop();
      window.location.href = window.location.pathname + window.location.search;
    });
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (e) {
    var by = e.submitter;
    if (by && by.hasAttribute("data-keep-draft")) { return; }  // a download, not a submission
    drop();
  });
  var modeLink = document.getElementById("mode-link");
  if (modeLink) { modeLink.addEventListener("click", save); }  // the other mode restores it
}());
