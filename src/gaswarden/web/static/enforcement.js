// Enforcement pages: the decision form shows the fields of the decision chosen (and clears the
// others); the new-case form shows the party fields of the party kind chosen. Without script
// every field shows and the server ignores the ones that do not apply.
(function () {
  "use strict";
  document.querySelectorAll("select[data-decision]").forEach(function (sel) {
    var form = sel.form;
    function sync() {
      form.querySelectorAll("[data-for-decision]").forEach(function (lab) {
        var on = lab.getAttribute("data-for-decision").split(" ").indexOf(sel.value) >= 0;
        lab.hidden = !on;
        if (!on) { lab.querySelectorAll("input, select").forEach(function (i) { i.value = ""; }); }
      });
    }
    sel.addEventListener("change", sync);
    sync();
  });
  var kind = document.getElementById("f-party_kind");
  if (kind) {
    var sync = function () {
      document.querySelectorAll("[data-party]").forEach(function (box) {
        var want = box.getAttribute("data-party");
        box.hidden = !!want && want !== kind.value;
      });
    };
    kind.addEventListener("change", sync);
    sync();
  }
})();
