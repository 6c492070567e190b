// chotdon staff pages: the little JavaScript they use. Everything works without it; with it,
// pages follow changes made elsewhere, the ward picker fills itself, and prints print.
(function () {
  "use strict";
  var POLL_MS = 2500;
  var BATCH_POLL_MS = 1000;
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
    shipperPicksItself(form);
    openAtTheError();
    var province = form.querySelector("[data-province]");
    var ward = form.querySelector("[data-ward]");
    if (!province || !ward || !window.fetch) return;
    var filter = wardFilter(form, ward);
    province.addEventListener("change", function () {
      var first = ward.options[0];
      ward.length = 0;
      ward.appendChild(first);
      filter.reset();
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
          filter.reset();
        });
    });
  }

  // Lower case without accents, single spaces: "Phường Ánh  Sáng" -> "phuong anh sang".
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().replace(/\s+/g, " ").trim();
  }

  // Type to filter the ward picker: the wards whose name holds what was typed (accents
  // optional); one left is chosen. The choice already made always stays in the list.
  function wardFilter(form, ward) {
    var input = form.querySelector("[data-ward-filter]");
    var all = [];
    function reset() {
      all = Array.prototype.slice.call(ward.options, 1).map(function (o) {
        return { value: o.value, text: o.textContent, key: folded(o.textContent) };
      });
      if (input) input.value = "";
    }
    reset();
    if (!input) return { reset: reset };
    input.hidden = false;
    input.addEventListener("input", function () {
      var wanted = folded(input.value);
      var chosen = ward.value;
      var first = ward.options[0];
      var shown = all.filter(function (w) {
        return !wanted || w.key.indexOf(wanted) !== -1 || w.value === chosen;
      });
      ward.length = 0;
      ward.appendChild(first);
      shown.forEach(function (w) {
        var option = document.createElement("option");
        option.value = w.value;
        option.textContent = w.text;
        ward.appendChild(option);
      });
      var matching = shown.filter(function (w) { return w.key.indexOf(wanted) !== -1; });
      ward.value = wanted && matching.length === 1 ? matching[0].value : chosen;
      if (ward.value !== chosen) ward.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return { reset: reset };
  }

  // Typing a shipper's name or phone picks "individual shipper": staff meant it.
  function shipperPicksItself(form) {
    var radio = form.querySelector("[data-individual]");
    if (!radio) return;
    var fields = form.querySelectorAll("[data-shipper] input");
    for (var i = 0; i < fields.length; i++) {
      fields[i].addEventListener("input", function () {
        if (this.value.trim()) radio.checked = true;
      });
    }
  }

  // A form sent back with an error opens at the first field that has one, not at the top.
  function openAtTheError() {
    var field = document.querySelector("[data-edit-form] [autofocus]");
    if (!field) return;
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }

  function confirmations() {
    var forms = document.querySelectorAll("form[data-confirm]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (event) {
        if (!window.confirm(this.getAttribute("data-confirm"))) event.preventDefault();
      });
    }
    // A button of a bigger form (the edit page's Cancel) asks on its own.
    var buttons = document.querySelectorAll("button[data-confirm]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].addEventListener("click", function (event) {
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

  // The orders list's selection: tick rows, a whole page, or every order of the tab (the form
  // then carries the tab's filters, not ids); count what is selected; ask before what cannot
  // be undone.
  function selection() {
    var form = document.querySelector("[data-batch-form]");
    if (!form) return;
    var boxes = form.querySelectorAll("input[name=ids]");
    var page = form.querySelector("[data-select-page]");
    var all = form.querySelector("[data-select-all]");
    var shown = form.querySelector("[data-selected]");
    function count() {
      if (all && all.checked) return parseInt(all.getAttribute("data-count"), 10) || 0;
      var n = 0;
      for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) n++;
      return n;
    }
    function update() {
      if (shown) shown.textContent = shown.getAttribute("data-words").replace("{count}", count());
    }
    function tickAll(on) {
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = on;
    }
    if (page) page.addEventListener("change", function () {
      tickAll(page.checked);
      if (!page.checked && all) all.checked = false;
      update();
    });
    if (all) all.addEventListener("change", function () {
      tickAll(all.checked);
      if (page) page.checked = all.checked;
      update();
    });
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].addEventListener("change", function () {
        if (!this.checked && all) all.checked = false;
        update();
      });
    }
    var asking = form.querySelectorAll("[data-ask]");
    for (var j = 0; j < asking.length; j++) {
      asking[j].addEventListener("click", function (event) {
        var question = this.getAttribute("data-ask").replace("{count}", count());
        if (!window.confirm(question)) event.preventDefault();
      });
    }
    update();
  }

  // A batch's page: follow its progress every second without a reload, adding each order's
  // result to the list it belongs to as it comes.
  function batchProgress() {
    var run = document.querySelector("[data-batch-url]");
    if (!run || !window.fetch || run.getAttribute("data-finished") === "yes") return;
    var url = run.getAttribute("data-batch-url");
    var bar = document.getElementById("batch-progress");
    var state = document.getElementById("batch-state");
    var lists = { ok: document.getElementById("batch-ok"), no: document.getElementById("batch-refused") };
    var counts = { ok: document.getElementById("batch-ok-count"), no: document.getElementById("batch-refused-count") };
    var seen = lists.ok.children.length + lists.no.children.length;
    function add(result) {
      var key = result.ok ? "ok" : "no";
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.href;
      link.textContent = result.code;
      var words = document.createElement("span");
      words.textContent = result.words;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" · "));
      item.appendChild(words);
      lists[key].appendChild(item);
      counts[key].textContent = String(lists[key].children.length);
    }
    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer) return window.setTimeout(poll, BATCH_POLL_MS);
          for (; seen < answer.results.length; seen++) add(answer.results[seen]);
          bar.max = answer.total || 1;
          bar.value = answer.done;
          bar.textContent = answer.percent + "%";
          state.textContent = answer.words;
          state.setAttribute("data-state", answer.state);
          if (answer.finished) run.setAttribute("data-finished", "yes");
          else window.setTimeout(poll, BATCH_POLL_MS);
        })
        .catch(function () { window.setTimeout(poll, BATCH_POLL_MS); });
    }
    window.setTimeout(poll, BATCH_POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    editForm();
    freeShipping();
    confirmations();
    printButtons();
    selection();
    batchProgress();
    followComments();
    watch();
  });
})();
