"use strict";
// Findings filters: hide rows whose severity is unticked or whose code is not the chosen one.
(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = document.querySelectorAll("#findings-table tbody tr");
  function apply() {
    var severities = {};
    form.querySelectorAll("input[name=severity]").forEach(function (box) { severities[box.value] = box.checked; });
    var code = form.elements.code.value;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = severities[row.dataset.severity] !== false && (!code || row.dataset.code === code);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    document.getElementById("shown").textContent = shown + " shown";
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
}());

// Side by side: the selected paper item's code snippets, copied into the pane beside the paper.
// Without this script every item is followed by its snippets; with it, CSS hides those on wide
// screens and the pane shows the selected item's. Selection: click, Enter or Space on a focused
// item, j/k or the arrow keys to step, and the URL fragment (#eq-loss, or a label: #eq:loss).
(function () {
  var layouts = document.querySelectorAll(".side-by-side");
  if (!layouts.length) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll(".side-by-side .selectable"));
  var selected = null;
  document.documentElement.classList.add("js");
  items.forEach(function (item) { item.tabIndex = 0; });
  layouts.forEach(function (layout) { layout.querySelector(".code-pane").hidden = false; });
  document.querySelectorAll(".pane-hint").forEach(function (hint) { hint.hidden = false; });

  function ownSnippets(item) {
    for (var child = item.firstElementChild; child; child = child.nextElementSibling) {
      if (child.classList.contains("snippets")) { return child; }
    }
    return null;
  }

  function select(item) {
    if (selected) { selected.removeAttribute("aria-current"); }
    selected = item;
    item.setAttribute("aria-current", "true");
    var pane = item.closest(".side-by-side").querySelector(".code-pane");
    var body = pane.querySelector(".pane-body");
    var snippets = ownSnippets(item);
    body.textContent = "";
    if (snippets) { body.appendChild(snippets.cloneNode(true)); }
    var count = snippets ? snippets.children.length : 0;
    pane.querySelector(".pane-title").textContent = item.dataset.name + ": " +
      (count ? count + " code location" + (count === 1 ? "" : "s") : "no code linked");
    pane.scrollTop = 0;
    try { history.replaceState(null, "", "#" + item.id); } catch (ignored) { /* a sandboxed frame */ }
  }

  function step(by) {
    // the next item the search leaves shown (a hidden one has no layout boxes); none past either end
    var index = selected ? items.indexOf(selected) + by : 0;
    while (index >= 0 && index < items.length && items[index].getClientRects().length === 0) { index += by || 1; }
    var next = items[index];
    if (next) { select(next); next.focus(); }
  }

  function fromHash() {
    var name = location.hash.slice(1);
    try { name = decodeURIComponent(name); } catch (ignored) { return; }
    if (!name) { return; }
    var target = document.getElementById(name);
    var item = target ? target.closest(".side-by-side .selectable") : null;
    if (!item && !target) {
      item = items.filter(function (candidate) { return candidate.dataset.key === name; })[0] || null;
      if (item) { item.scrollIntoView(); }
    }
    if (item) { select(item); }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("a, .code-pane, input, label, summary")) { return; }
    var item = event.target.closest(".side-by-side .selectable");
    if (item) { select(item); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, select, textarea")) { return; }
    var onItem = event.target.classList && event.target.classList.contains("selectable");
    if (onItem && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      select(event.target);
    } else if (event.key === "j" || (onItem && event.key === "ArrowDown")) {
      event.preventDefault();
      step(1);
    } else if (event.key === "k" || (onItem && event.key === "ArrowUp")) {
      event.preventDefault();
      step(-1);
    }
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
}());

// Search: typing in the box (shown only with this script) hides the paper items, findings and code
// files whose text (an item's own, not its snippets'; a file's path) does not hold what is typed,
// case-insensitively; Escape empties it, "/" elsewhere focuses it. A section stays while its heading
// or one of its items matches.
(function () {
  var box = document.getElementById("search");
  if (!box) { return; }
  document.getElementById("search-box").hidden = false;
  var count = document.getElementById("search-count");
  function ownText(element) {
    var text = "";
    for (var node = element.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 3) { text += node.nodeValue; }
      else if (node.nodeType === 1 && !node.classList.contains("snippets") && !node.classList.contains("item")) {
        text += " " + ownText(node);
      }
    }
    return text;
  }
  function entry(element, text) { return {element: element, text: text.toLowerCase()}; }
  var entries = [];
  document.querySelectorAll(".reading .item, .reading ul.statements > li").forEach(function (element) {
    entries.push(entry(element, (element.dataset.key || "") + " " + ownText(element)));
  });
  document.querySelectorAll("#findings-table tbody tr").forEach(function (row) { entries.push(entry(row, row.textContent)); });
  var index = {};
  document.querySelectorAll("#code ul.file-index a").forEach(function (link) { index[link.getAttribute("href").slice(1)] = link.parentNode; });
  document.querySelectorAll("#code .file").forEach(function (file) {
    var name = file.querySelector("h3").textContent;
    entries.push(entry(file, name));
    if (index[file.id]) { entries.push({element: index[file.id], text: name.toLowerCase(), extra: true}); }
  });
  var sections = Array.prototype.map.call(document.querySelectorAll(".reading .section"), function (section) {
    return {element: section, text: section.querySelector("h3").textContent.toLowerCase()};
  });
  function apply() {
    var query = box.value.trim().toLowerCase();
    var shown = 0, total = 0;
    entries.forEach(function (found) {
      var hit = !query || found.text.indexOf(query) >= 0;
      found.element.classList.toggle("search-miss", !hit);
      if (!found.extra) { total += 1; if (hit) { shown += 1; } }
    });
    sections.forEach(function (section) {
      var hit = !query || section.text.indexOf(query) >= 0 ||
        section.element.querySelector(".item:not(.search-miss), ul.statements > li:not(.search-miss)") !== null;
      section.element.classList.toggle("search-miss", !hit);
    });
    count.textContent = query ? shown + " of " + total + " shown" : "";
  }
  box.addEventListener("input", apply);
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { box.value = ""; apply(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.target.closest("input, select, textarea")) { event.preventDefault(); box.focus(); }
  });
}());

// Printing: the collapsed lists (missing items) open, so paper shows them; the rules' documentation stays shut.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("#coverage details").forEach(function (details) { details.open = true; });
});
