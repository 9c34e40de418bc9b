// xinfang officer UI: small progressive enhancements. Everything works without JavaScript.
(function () {
  "use strict";
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], C = "10X98765432";
  // GB 11643: the same check as the server's, so mistakes show while typing.
  function idError(v) {
    if (!v) return "";
    v = v.toUpperCase();
    if (!/^\d{17}[\dX]$/.test(v)) return "身份证号码应为18位";
    var s = 0;
    for (var i = 0; i < 17; i++) s += (+v[i]) * W[i];
    return C[s % 11] === v[17] ? "" : "身份证号码校验位不正确";
  }
  function show(input, message) {
    var slot = document.querySelector('[data-error-for="' + input.name + '"]');
    if (slot) slot.textContent = message;
    if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }
  function check(input) {
    var message = "";
    if (input.hasAttribute("data-idcheck")) message = idError(input.value.trim());
    else if (input.value && input.pattern && !new RegExp("^(?:" + input.pattern + ")$").test(input.value.trim())) message = input.getAttribute("data-message") || "格式不正确";
    else if (input.required && !input.value.trim()) message = "必填";
    show(input, message);
    return !message;
  }
  document.querySelectorAll("form[data-validate]").forEach(function (form) {
    form.querySelectorAll("input, textarea").forEach(function (input) {
      input.addEventListener("input", function () { check(input); });
    });
    form.addEventListener("submit", function (e) {
      var ok = true;
      form.querySelectorAll("input, textarea").forEach(function (input) { if (!check(input)) ok = false; });
      if (!ok) e.preventDefault();
    });
    var channel = form.querySelector("[data-channel]"), collective = form.querySelector("[data-collective]");
    function toggle() { if (collective) collective.hidden = channel.value !== "visit"; }
    if (channel) { channel.addEventListener("change", toggle); toggle(); }
  });
  // Sorting desk: filter the unit list by name.
  // Caller ID: a complete phone or ID number shows the petitioner's earlier cases beside the form.
  var panel = document.getElementById("petitioner-cases");
  if (panel) {
    var pform = panel.closest("form");
    var phone = pform.querySelector("[name=petitioner_phone]"), idn = pform.querySelector("[name=petitioner_id_number]");
    var last = "";
    var lookup = function () {
      var p = phone.value.trim(), i = idn.value.trim().toUpperCase();
      var q = /^1\d{10}$/.test(p) ? "phone=" + p : (/^\d{17}[\dX]$/.test(i) ? "id_number=" + i : "");
      if (!q || q === last) { return; }
      last = q;
      fetch("/cases/petitioner-cases?" + q, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          panel.textContent = "";
          if (!items.length) { panel.hidden = true; return; }
          var h = document.createElement("h3");
          h.textContent = "该信访人此前的事项（" + items.length + " 件）";
          panel.appendChild(h);
          items.forEach(function (c) {
            var row = document.createElement("p");
            var a = document.createElement("a");
            a.href = "/cases/" + c.id; a.target = "_blank"; a.textContent = c.case_no;
            row.appendChild(a);
            row.appendChild(document.createTextNode(" " + c.title + "（" + c.status + "，" + c.registered_on + "） "));
            var b = document.createElement("button");
            b.type = "button"; b.textContent = "关联"; b.setAttribute("data-link-repeat", c.case_no);
            row.appendChild(b);
            panel.appendChild(row);
          });
          panel.hidden = false;
        });
    };
    phone.addEventListener("input", lookup);
    idn.addEventListener("input", lookup);
  }
  // 关联: the case number shown goes into 重复信访关联.
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-link-repeat]") : null;
    var field = document.querySelector("form.intake [name=repeat_of]");
    if (b && field) { field.value = b.getAttribute("data-link-repeat"); field.focus(); }
  });
  // A search box narrows the select it names (data-filter="field"; the unit picker's is to_unit).
  document.querySelectorAll("[data-unit-filter], [data-filter]").forEach(function (box) {
    var field = box.getAttribute("data-filter") || "to_unit";
    var select = box.closest("form").querySelector("select[name=" + field + "]");
    box.addEventListener("input", function () {
      var q = box.value.trim();
      Array.prototype.forEach.call(select.options, function (o) { o.hidden = q && o.value && o.text.indexOf(q) < 0; });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
  // 复制: the query code to the clipboard, with a word that it was done.
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var done = function () { b.textContent = "已复制"; };
      if (navigator.clipboard) { navigator.clipboard.writeText(b.getAttribute("data-copy")).then(done, function () {}); }
    });
  });
})();
