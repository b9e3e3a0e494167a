/* ideas portal: while a customer types a proposal, show ideas that look the same ("vote for it?").
   Same-origin JSON only; every value is inserted as text, never as HTML. */
(function () {
  "use strict";
  function ready() {
    var title = document.getElementById("idea-title");
    var body = document.getElementById("idea-body");
    var box = document.getElementById("similar");
    if (!title || !box) return;
    var timer = null, last = "";
    function show(items) {
      while (box.firstChild) box.removeChild(box.firstChild);
      if (!items.length) return;
      var p = document.createElement("p");
      p.textContent = box.getAttribute("data-label") || "";
      box.appendChild(p);
      var ul = document.createElement("ul");
      items.forEach(function (it) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/ideas/portal/" + encodeURIComponent(it.id) + (box.getAttribute("data-lang") === "en" ? "?lang=en" : "");
        a.textContent = it.title;
        li.appendChild(a);
        var span = document.createElement("span");
        span.className = "muted small";
        span.textContent = " · " + it.votes + " " + (box.getAttribute("data-votes") || "");
        li.appendChild(span);
        if (it.duplicate) li.className = "duplicate";
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    function ask() {
      var q = (title.value + ". " + (body ? body.value : "")).trim();
      if (q.length < 8 || q === last) return;
      last = q;
      fetch("/ideas/portal/similar?q=" + encodeURIComponent(q.slice(0, 500)), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { similar: [] }; })
        .then(function (d) { show(d.similar || []); })
        .catch(function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 350); }
    title.addEventListener("input", later);
    if (body) body.addEventListener("input", later);
  }
  document.addEventListener("DOMContentLoaded", ready);
})();
