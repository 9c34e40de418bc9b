// Public portal: solves the submission's proof of work (js-sha256, vendored) and checks the
// attachments before upload. The server checks everything again.
(function () {
  "use strict";
  function zeroBits(hex) {
    var n = 0;
    for (var i = 0; i < hex.length; i++) {
      var v = parseInt(hex[i], 16);
      if (v === 0) { n += 4; continue; }
      return n + (v < 2 ? 3 : v < 4 ? 2 : v < 8 ? 1 : 0);
    }
    return n;
  }
  document.querySelectorAll("form[data-pow]").forEach(function (form) {
    var challenge = form.querySelector("[name=pow_challenge]").value;
    var bits = parseInt(challenge.split(".")[2], 10) || 0;
    var nonceField = form.querySelector("[name=pow_nonce]");
    var status = form.querySelector("[data-pow-status]");
    var files = form.querySelector("input[type=file]");
    var button = form.querySelector("button[type=submit]");
    function filesError() {
      if (!files) return "";
      var max = +files.getAttribute("data-max-files"), bytes = +files.getAttribute("data-max-bytes");
      if (files.files.length > max) return "附件最多" + max + "个";
      for (var i = 0; i < files.files.length; i++) {
        if (files.files[i].size > bytes) return "附件“" + files.files[i].name + "”超过10MB";
      }
      return "";
    }
    if (files) files.addEventListener("change", function () {
      var slot = form.querySelector('[data-error-for="files"]');
      if (slot) slot.textContent = filesError();
    });
    form.addEventListener("submit", function (e) {
      if (nonceField.value) return;
      e.preventDefault();
      if (form.querySelector("[aria-invalid=true]") || filesError()) return;
      button.disabled = true;
      status.textContent = "正在进行安全验证，请稍候…";
      var n = 0;
      (function work() {
        var until = Date.now() + 50;
        while (Date.now() < until) {
          if (zeroBits(sha256(challenge + ":" + n)) >= bits) {
            nonceField.value = String(n);
            status.textContent = "验证完成，正在提交…";
            form.submit();
            return;
          }
          n++;
        }
        setTimeout(work, 0);
      })();
    });
  });
  // While the citizen writes, approved answers to similar questions (the citizen may still
  // submit).
  var faqBox = document.querySelector("[data-faq-suggest]");
  if (faqBox) {
    var fform = faqBox.closest("form");
    var ftitle = fform.querySelector("[name=title]"), fcontent = fform.querySelector("[name=content]");
    var flast = "", ftimer = null;
    var ask = function () {
      var q = (ftitle.value.trim() + " " + fcontent.value.trim()).slice(0, 300).trim();
      if (q.length < 4 || q === flast) { if (q.length < 4) { faqBox.hidden = true; } return; }
      flast = q;
      fetch("/api/v1/public/faq?q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          if (q !== flast) { return; }
          faqBox.textContent = "";
          items = items.slice(0, 3);
          if (!items.length) { faqBox.hidden = true; return; }
          var head = document.createElement("p");
          head.textContent = "以下常见问题可能对您有帮助（您仍可继续提交）：";
          faqBox.appendChild(head);
          items.forEach(function (i) {
            var d = document.createElement("details");
            d.setAttribute("data-faq", i.id);
            var sm = document.createElement("summary");
            sm.textContent = i.question;
            var p = document.createElement("p");
            p.textContent = i.answer;
            d.appendChild(sm); d.appendChild(p);
            faqBox.appendChild(d);
          });
          faqBox.hidden = false;
        })
        .catch(function () { faqBox.hidden = true; });
    };
    [ftitle, fcontent].forEach(function (f) {
      f.addEventListener("input", function () { clearTimeout(ftimer); ftimer = setTimeout(ask, 600); });
    });
  }
})();
