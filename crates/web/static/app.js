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
  // Intake: while the petition is typed, routing's three best categories are offered above the
  // category picker; one click chooses one (the registrar may still choose any other).
  var catBox = document.getElementById("category-suggestions");
  if (catBox) {
    var cform = catBox.closest("form");
    var ctitle = cform.querySelector("[name=title]"), ccontent = cform.querySelector("[name=content]");
    var cregion = cform.querySelector("[name=region]"), cselect = cform.querySelector("select[name=category]");
    var clast = "", ctimer = null;
    var offer = function () {
      var t = ctitle.value.trim(), c = ccontent.value.trim().slice(0, 1000);
      if ((t + c).length < 4) { catBox.hidden = true; return; }
      var q = "title=" + encodeURIComponent(t.slice(0, 200)) + "&content=" + encodeURIComponent(c) +
        "&region=" + encodeURIComponent(cregion ? cregion.value.trim().slice(0, 100) : "");
      if (q === clast) { return; }
      clast = q;
      fetch("/cases/routing-suggest?" + q, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s || q !== clast) { return; }
          Array.prototype.slice.call(catBox.querySelectorAll("button")).forEach(function (b) { b.remove(); });
          s.categories.forEach(function (cat) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "chip"; b.setAttribute("data-pick-category", cat.name);
            var pct = Math.round(cat.score * 100);
            b.textContent = cat.name + (pct >= 1 ? "（" + pct + "%）" : "");
            b.addEventListener("click", function () {
              cselect.value = cat.name;
              cselect.dispatchEvent(new Event("change", { bubbles: true }));
            });
            catBox.appendChild(b);
          });
          catBox.hidden = !s.categories.length;
        });
    };
    var later = function () { clearTimeout(ctimer); ctimer = setTimeout(offer, 400); };
    [ctitle, ccontent, cregion].forEach(function (f) { if (f) { f.addEventListener("input", later); } });
    offer();
  }
  // 关联: the case number shown goes into 重复信访关联.
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-link-repeat]") : null;
    var field = document.querySelector("form.intake [name=repeat_of]");
    if (b && field) { field.value = b.getAttribute("data-link-repeat"); field.focus(); }
  });
  // A reply template of the knowledge base fills the opinion's text (asked first when it is
  // not empty).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-use-template]");
    var form = b && b.closest("form");
    var text = form && form.querySelector("[name=text]");
    if (!text) { return; }
    if (text.value.trim() && !window.confirm("用模板替换已写的内容？")) { return; }
    text.value = b.getAttribute("data-use-template");
    text.dispatchEvent(new Event("input", { bubbles: true }));
    text.focus();
  });
  // A check said of an earlier text is hidden once the text changes.
  document.addEventListener("input", function (e) {
    var form = e.target.name === "text" && e.target.closest && e.target.closest("form");
    var out = form && form.querySelector("[data-reply-check-result]");
    if (out) { out.hidden = true; }
  });
  // 检查答复: the draft being written, checked against the petition (advice only).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-reply-check]");
    var form = b && b.closest("form");
    if (!form) { return; }
    var out = form.querySelector("[data-reply-check-result]");
    var body = new URLSearchParams();
    body.set("csrf", form.querySelector("[name=csrf]").value);
    body.set("kind", (form.querySelector("[name=action]") || {}).value || "reply");
    body.set("text", form.querySelector("[name=text]").value);
    b.disabled = true;
    fetch(b.getAttribute("data-reply-check"), { method: "POST", credentials: "same-origin", body: body })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        out.textContent = "";
        var p = document.createElement("p");
        if (!res.ok) {
          p.textContent = (res.j.error && res.j.error.message) || "检查失败";
          out.appendChild(p);
        } else {
          var head = document.createElement("b");
          head.textContent = "答复自查";
          p.appendChild(head);
          p.appendChild(document.createTextNode(" 得分 " + Math.round(res.j.score * 100) +
            (res.j.flags.length ? "" : " · 未发现问题")));
          out.appendChild(p);
          if (res.j.flags.length) {
            var ul = document.createElement("ul");
            res.j.flags.forEach(function (f) {
              var li = document.createElement("li");
              li.setAttribute("data-flag", f.code);
              li.textContent = f.message;
              ul.appendChild(li);
            });
            out.appendChild(ul);
          }
        }
        out.classList.toggle("clean", res.ok && !res.j.flags.length);
        out.hidden = false;
      })
      .catch(function () { out.textContent = "检查失败，请稍后再试"; out.hidden = false; })
      .then(function () { b.disabled = false; });
  });
  // A routing suggestion at the sorting desk picks its unit in the form's unit picker.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-pick-unit]");
    var form = b && b.closest("form");
    var select = form && form.querySelector("select[data-unit-picker]");
    if (!select) { return; }
    select.value = b.getAttribute("data-pick-unit");
    select.dispatchEvent(new Event("xinfang:picked"));
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
  // Unit picker: a unit select becomes a search box (name, 简称 such as 住建, pinyin initials such
  // as zjj) over a tree opened level by level; suggestions first; units that do not receive
  // cases (村民小组) only on request. The select stays in the form and is what is sent.
  document.querySelectorAll("select[data-unit-picker]").forEach(function (select) {
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value; });
    var children = {}, byId = {};
    // Units come in path order: a parent is always seen before its children.
    options.forEach(function (o) {
      byId[o.value] = o;
      var p = o.getAttribute("data-parent") || "0";
      if (!byId[p]) { p = "0"; }
      (children[p] = children[p] || []).push(o);
    });
    var name = function (o) { return o.textContent.replace(/^[\s\u3000]+/, ""); };
    var path = function (o) {
      var parts = [], p = o;
      while (p) { parts.unshift(name(p).replace(/（.*$/, "")); p = byId[p.getAttribute("data-parent")]; }
      return parts.join(" › ");
    };
    var box = document.createElement("div");
    box.className = "unit-picker";
    var input = document.createElement("input");
    input.type = "search";
    input.setAttribute("aria-label", "查找单位");
    input.placeholder = "输入名称、简称或拼音首字母，如 住建、rsj";
    var chosen = document.createElement("p");
    chosen.className = "unit-chosen";
    var chosenText = document.createElement("span");
    chosen.appendChild(chosenText);
    var idleLabel = document.createElement("label");
    idleLabel.className = "unit-idle";
    var idle = document.createElement("input");
    idle.type = "checkbox";
    idleLabel.appendChild(idle);
    idleLabel.appendChild(document.createTextNode(" 显示村民小组等不直接办理的单位"));
    var list = document.createElement("ul");
    list.className = "unit-tree";
    list.setAttribute("role", "tree");
    var open = {};
    var shown = function (o) { return idle.checked || !o.hasAttribute("data-idle"); };
    var pick = function (o) {
      if (select.multiple) { o.selected = !o.selected; } else { select.value = o.value; }
      select.dispatchEvent(new Event("change", { bubbles: true }));
      render();
    };
    var item = function (o, label, withToggle) {
      var li = document.createElement("li");
      li.setAttribute("role", "treeitem");
      var kids = (children[o.value] || []).filter(shown);
      if (withToggle && kids.length) {
        var t = document.createElement("button");
        t.type = "button"; t.className = "toggle";
        t.textContent = open[o.value] ? "▾" : "▸";
        t.setAttribute("aria-label", (open[o.value] ? "收起" : "展开") + name(o));
        t.addEventListener("click", function () { open[o.value] = !open[o.value]; render(); });
        li.appendChild(t);
      } else if (withToggle) {
        var pad = document.createElement("span");
        pad.className = "toggle";
        li.appendChild(pad);
      }
      var b = document.createElement("button");
      b.type = "button"; b.className = "unit" + (o.selected ? " selected" : "");
      b.setAttribute("data-unit", o.value);
      b.textContent = label;
      b.addEventListener("click", function () { pick(o); });
      li.appendChild(b);
      if (withToggle && open[o.value] && kids.length) {
        var ul = document.createElement("ul");
        kids.forEach(function (k) { ul.appendChild(item(k, name(k), true)); });
        li.appendChild(ul);
      }
      return li;
    };
    var suggested = (select.getAttribute("data-suggest") || "").split(",").filter(function (id) { return byId[id]; });
    var render = function () {
      list.textContent = "";
      var picked = options.filter(function (o) { return o.selected; });
      chosenText.textContent = (picked.length ? "已选：" + picked.map(path).join("；") : "尚未选择") + " ";
      var q = input.value.trim().toLowerCase();
      if (q) {
        var found = options.filter(function (o) {
          return shown(o) && (o.textContent.toLowerCase().indexOf(q) >= 0 ||
            (" " + (o.getAttribute("data-keys") || "") + " ").indexOf(q) >= 0);
        });
        found.slice(0, 40).forEach(function (o) { list.appendChild(item(o, path(o), false)); });
        if (!found.length) { var none = document.createElement("li"); none.textContent = "没有相符的单位"; list.appendChild(none); }
        return;
      }
      if (suggested.length) {
        var head = document.createElement("li");
        head.className = "suggested";
        head.textContent = select.getAttribute("data-suggest-label") || "建议";
        list.appendChild(head);
        suggested.forEach(function (id) { list.appendChild(item(byId[id], path(byId[id]), false)); });
      }
      (children["0"] || []).filter(shown).forEach(function (o) { list.appendChild(item(o, name(o), true)); });
    };
    input.addEventListener("input", render);
    input.addEventListener("keydown", function (e) {
      // Enter picks the first unit found instead of sending the form half filled.
      if (e.key === "Enter") {
        e.preventDefault();
        var first = list.querySelector("button.unit");
        if (first) { first.click(); }
      }
    });
    idle.addEventListener("change", render);
    // A unit chosen from outside the picker (a routing suggestion) shows as chosen.
    select.addEventListener("xinfang:picked", render);
    box.appendChild(input);
    box.appendChild(chosen);
    // A select that may be left empty (a filter, an optional field) can be cleared again.
    var empty = Array.prototype.some.call(select.options, function (o) { return !o.value; });
    if (empty || select.multiple) {
      var clear = document.createElement("button");
      clear.type = "button"; clear.className = "unit-clear"; clear.textContent = "清除选择";
      clear.addEventListener("click", function () {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = !o.value; });
        render();
      });
      chosen.appendChild(clear);
    }
    box.appendChild(list);
    box.appendChild(idleLabel);
    select.parentNode.insertBefore(box, select);
    select.hidden = true;
    // A hidden field cannot show the browser's own "required" bubble: the server says it instead.
    if (select.required) { select.required = false; input.setAttribute("aria-required", "true"); }
    // Open the levels down to what is selected already.
    options.forEach(function (o) {
      if (o.selected) { var p = byId[o.getAttribute("data-parent")]; while (p) { open[p.value] = true; p = byId[p.getAttribute("data-parent")]; } }
    });
    // The top units (the city, a body above it) are opened: departments and towns show at once.
    var roots = (children["0"] || []).filter(shown);
    if (roots.length <= 3) { roots.forEach(function (o) { open[o.value] = true; }); }
    render();
  });
  // A search box narrows the select it names (data-filter="field").
  document.querySelectorAll("[data-filter]").forEach(function (box) {
    var field = box.getAttribute("data-filter");
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
