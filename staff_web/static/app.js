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

  // The comments page during a live: every few seconds, the comments stored since the newest
  // one seen go on top of the list (the answer's X-Comments-After is the next cursor).
  function followComments() {
    var list = document.querySelector("ol[data-feed]");
    if (!list || !window.fetch) return;
    var url = list.getAttribute("data-feed");
    var after = list.getAttribute("data-after") || "0";
    var busy = false;
    function poll() {
      if (busy || document.hidden) return;
      busy = true;
      var sep = url.indexOf("?") < 0 ? "?" : "&";
      fetch(url + sep + "after=" + encodeURIComponent(after), {
        credentials: "same-origin", cache: "no-store",
      })
        .then(function (r) {
          if (!r.ok) return null;
          var next = r.headers.get("X-Comments-After");
          return r.text().then(function (html) { return { next: next, html: html }; });
        })
        .then(function (answer) {
          busy = false;
          if (!answer) return;
          if (answer.next) after = answer.next;
          addComments(list, answer.html);
        })
        .catch(function () { busy = false; /* offline for a moment: ask again */ });
    }
    window.setInterval(poll, POLL_MS);
  }

  function addComments(list, html) {
    if (!html.trim()) return;
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var items = holder.querySelectorAll("li[data-id]");
    for (var i = items.length - 1; i >= 0; i--) {
      var id = items[i].getAttribute("data-id");
      if (list.querySelector('li[data-id="' + id + '"]')) continue; // already shown
      items[i].classList.add("new");
      list.insertBefore(items[i], list.firstChild);
    }
    var empty = document.querySelector(".no-comments");
    if (empty && list.firstChild) empty.hidden = true;
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

  document.addEventListener("DOMContentLoaded", function () {
    editForm();
    confirmations();
    printButtons();
    followComments();
    watch();
  });
})();
