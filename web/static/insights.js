// The leaders' view: draws the charts of /admin/insights from the page's JSON block with the
// vendored Chart.js (no inline script: the CSP forbids it). Each canvas gets data-drawn="1".
(function () {
  "use strict";
  function bar(id, counts, label, words, color) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var keys = Object.keys(counts);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: keys.map(function (k) {
          return k.split(":").map(function (p) { return words[p] || p; }).join(" · ");
        }),
        datasets: [{ label: label, data: keys.map(function (k) { return counts[k]; }), backgroundColor: color }]
      },
      options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    canvas.setAttribute("data-drawn", "1");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("insights-data");
    if (!block || typeof window.Chart !== "function") return;
    var data = JSON.parse(block.textContent);
    var f = data.figures, w = data.words;
    bar("chart-kind", f.by_kind, data.label, w, "#c8102e");
    bar("chart-district", f.by_district, data.label, w, "#1f6fb2");
    bar("chart-industry", f.by_industry, data.label, w, "#d98e04");
    bar("chart-month", f.by_month, data.label, w, "#3c8d40");
  });
})();
