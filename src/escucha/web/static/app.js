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
})();
