// chotdon staff pages: the little JavaScript they use. Everything works without it; with it,
// pages follow changes made elsewhere, the ward picker fills itself, and prints print.
(function () {
  "use strict";
  var POLL_MS = 2500;
  var dirty = false;

  function typing() {
    var el = document.activeElement;
    return !!el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && el.type !== "submit";
  }

  function showBanner() {
    var banner = document.getElementById("changed");
    if (banner) banner.hidden = false;
  }

  // Live refresh: reload when the page's stamp changes, but never over what someone typed.
  function watch() {
    var body = document.body;
    var url = body.getAttribute("data-stamp-url");
    var seen = body.getAttribute("data-stamp");
    if (!url || !window.fetch) return;
    var stopped = false;
    function check() {
      if (stopped || document.hidden) return;
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer || answer.stamp === undefined || answer.stamp === seen) return;
          if (dirty || typing()) {
            stopped = true;
            showBanner();
          } else {
            window.location.reload();
          }
        })
        .catch(function () { /* offline for a moment: ask again at the next tick */ });
    }
    window.setInterval(check, POLL_MS);
  }

  // The edit form: remember it was touched; fill the ward picker when the province changes.
  function editForm() {
    var form = document.querySelector("[data-edit-form]");
    if (!form) return;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    var noJs = form.querySelectorAll("[data-no-js]");
    for (var i = 0; i < noJs.length; i++) noJs[i].hidden = true;
    var province = form.querySelector("[data-province]");
    var ward = form.querySelector("[data-ward]");
    if (!province || !ward || !window.fetch) return;
    province.addEventListener("change", function () {
      var first = ward.options[0];
      ward.length = 0;
      ward.appendChild(first);
      if (!province.value) return;
      fetch("/places/wards?province=" + encodeURIComponent(province.value), {
        credentials: "same-origin",
      })
        .then(function (r) { return r.ok ? r.json() : { wards: [] }; })
        .then(function (answer) {
          answer.wards.forEach(function (w) {
            var option = document.createElement("option");
            option.value = String(w.code);
            option.textContent = w.name;
            ward.appendChild(option);
          });
        });
    });
  }

  function confirmations() {
    var forms = document.querySelectorAll("form[data-confirm]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (event) {
        if (!window.confirm(this.getAttribute("data-confirm"))) event.preventDefault();
      });
    }
  }

  function printButtons() {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }

  // "Free shipping": the fee box shows 0 and rests while ticked (the server ignores it anyway).
  function freeShipping() {
    var boxes = document.querySelectorAll("[data-free-shipping]");
    for (var i = 0; i < boxes.length; i++) {
      (function (box) {
        var fee = box.form && box.form.querySelector("[data-shipping-fee]");
        if (!fee) return;
        var typed = fee.value;
        function follow() {
          if (box.checked) {
            typed = fee.value;
            fee.value = "0";
          } else if (fee.value === "0") {
            fee.value = typed === "0" ? "" : typed;
          }
          fee.readOnly = box.checked;
        }
        box.addEventListener("change", follow);
        if (box.checked) follow();
      })(boxes[i]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    editForm();
    freeShipping();
    confirmations();
    printButtons();
    watch();
  });
})();
