/*
 * Staff FAQ pages: confirmation before deleting, the answer length counter, and the charts on
 * /admin/stats (Chart.js, vendored under static/vendor/). Text from the page is only ever set
 * with textContent; chart labels come from the page's JSON block.
 */
(function () {
  "use strict";

  // Forms with data-confirm ask before they post (delete).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  });

  function counter(area) {
    var out = document.getElementById(area.getAttribute("data-counter"));
    if (!out) return;
    var max = Number(area.getAttribute("maxlength")) || 500;
    var update = function () { out.textContent = area.value.length + " / " + max; };
    area.addEventListener("input", update);
    update();
  }

  function charts() {
    var block = document.getElementById("stats-data");
    if (!block || typeof window.Chart !== "function") return;
    var data = JSON.parse(block.textContent);
    var f = data.figures, L = data.labels;
    var red = "#c8161d";
    window.Chart.defaults.animation = false; // figures, not a show: drawn at once
    new window.Chart(document.getElementById("chart-days"), {
      type: "line",
      data: {
        labels: f.messages_per_day.map(function (d) { return d.day.slice(5); }),
        datasets: [{ label: L.messages, data: f.messages_per_day.map(function (d) { return d.count; }),
                     borderColor: red, backgroundColor: "rgba(200,22,29,.15)", fill: true, tension: 0.25 }]
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    new window.Chart(document.getElementById("chart-intents"), {
      type: "bar",
      data: {
        labels: f.top_intents.map(function (i) { return i.intent; }),
        datasets: [{ label: L.count, data: f.top_intents.map(function (i) { return i.count; }), backgroundColor: red }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    new window.Chart(document.getElementById("chart-faq"), {
      type: "doughnut",
      data: {
        labels: [L.answered, L.suggested, L.missed],
        datasets: [{ data: [f.faq_answered, f.faq_suggested, f.faq_missed], backgroundColor: ["#2e7d32", "#f0a500", "#9e9e9e"] }]
      }
    });
    deskCharts(f, L, red);
  }

  // The desk's figures: CSAT per score, the on-time rate per kind, the two medians (hours).
  function deskCharts(f, L, red) {
    var csat = (f.csat && f.csat.distribution) || {};
    var scores = ["1", "2", "3", "4", "5"];
    var csatEl = document.getElementById("chart-csat");
    if (csatEl) new window.Chart(csatEl, {
      type: "bar",
      data: {
        labels: scores.map(function (s) { return s + L.score; }),
        datasets: [{ label: L.ratings, data: scores.map(function (s) { return csat[s] || 0; }),
                     backgroundColor: ["#9e9e9e", "#bdbdbd", "#f0a500", "#66bb6a", "#2e7d32"] }]
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    var rates = f.on_time_rate || {};
    var kinds = Object.keys(L.kinds).filter(function (k) { return rates[k] !== null && rates[k] !== undefined; });
    var onTimeEl = document.getElementById("chart-ontime");
    if (onTimeEl) new window.Chart(onTimeEl, {
      type: "bar",
      data: {
        labels: kinds.map(function (k) { return L.kinds[k]; }),
        datasets: [{ label: L.on_time, data: kinds.map(function (k) { return Math.round(rates[k] * 1000) / 10; }),
                     backgroundColor: red }]
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 100 } } }
    });
    var hours = function (s) { return s === null || s === undefined ? null : Math.round(s / 360) / 10; };
    var mediansEl = document.getElementById("chart-medians");
    if (mediansEl) new window.Chart(mediansEl, {
      type: "bar",
      data: {
        labels: [L.first_action, L.resolution],
        datasets: [{ label: L.hours, data: [hours(f.median_first_action_seconds), hours(f.median_resolution_seconds)],
                     backgroundColor: ["#f0a500", "#2e7d32"] }]
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter]"), counter);
    charts();
  });
})();
