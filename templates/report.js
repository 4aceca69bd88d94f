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
