// escucha dashboard: charts from JSON data blocks (no inline scripts; CSP script-src 'self').
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  function charts() {
    if (typeof Chart === "undefined") return;
    var trend = data("trend-data");
    var tc = document.getElementById("trend-chart");
    if (trend && tc && !tc.dataset.done) {
      tc.dataset.done = "1";
      var rows = trend.rows;
      new Chart(tc, {
        data: {
          labels: rows.map(function (r) { return (r.week || "").slice(0, 10); }),
          datasets: [
            { type: "bar", label: trend.labels.volume, data: rows.map(function (r) { return r.volume; }),
              yAxisID: "v", backgroundColor: "#c9d6ea" },
            { type: "line", label: trend.labels.sentiment_index, data: rows.map(function (r) { return r.sentiment_index; }),
              yAxisID: "s", borderColor: "#c0392b", tension: 0.25 },
            { type: "line", label: trend.labels.nps, data: rows.map(function (r) { return r.nps; }),
              yAxisID: "s", borderColor: "#2f5d9e", tension: 0.25, spanGaps: true }
          ]
        },
        options: { maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
          scales: { v: { position: "right", beginAtZero: true, grid: { display: false } }, s: { position: "left" } } }
      });
    }
    var ch = data("channel-data");
    var cc = document.getElementById("channel-chart");
    if (ch && cc && !cc.dataset.done) {
      cc.dataset.done = "1";
      new Chart(cc, {
        type: "bar",
        data: { labels: ch.rows, datasets: [{ label: ch.label, data: ch.volume, backgroundColor: "#2f5d9e" }] },
        options: { maintainAspectRatio: false, animation: false, indexAxis: "y", plugins: { legend: { display: false } } }
      });
    }
  }
  document.addEventListener("DOMContentLoaded", charts);
  // state-changing htmx requests carry the CSRF token
  document.addEventListener("htmx:configRequest", function (ev) {
    var m = document.querySelector('meta[name="csrf-token"]');
    if (m && ev.detail.verb !== "get") ev.detail.headers["X-CSRF-Token"] = m.content;
  });
  // plan status forms: JSON to the API (POST /api/v1/plan/{id}/status) with the CSRF token
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (!f.classList || !f.classList.contains("plan-status")) return;
    ev.preventDefault();
    var m = document.querySelector('meta[name="csrf-token"]');
    var sel = f.querySelector("select[name=status]");
    var msg = f.querySelector(".plan-status-msg");
    var btn = f.querySelector("button");
    btn.disabled = true;
    msg.textContent = "";
    fetch(f.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": m ? m.content : "" },
      body: JSON.stringify({ status: sel.value })
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (d) {
      var card = f.closest(".plan-item");
      var shown = card && card.querySelector(".plan-status-value");
      if (shown) { shown.textContent = sel.options[sel.selectedIndex].text; shown.dataset.status = d.item.status; }
      msg.textContent = f.dataset.saved;
    }).catch(function () {
      msg.textContent = f.dataset.failed;
    }).then(function () { btn.disabled = false; });
  });
})();
