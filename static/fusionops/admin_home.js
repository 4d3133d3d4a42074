// The admin home: its figures follow the live stream. Any message on the page's topics
// means some figure may have moved, so the page reads them again: pushed, never polled.
// One read at a time, and at most one a second while messages keep coming.
import { follow } from "./live.js";

const config = JSON.parse(document.getElementById("home-config").textContent);
const stateLabel = document.getElementById("home-state");
const charts = {};

function drawChart(chart) {
  const canvas = document.querySelector(`canvas[data-chart="${chart.key}"]`);
  if (!canvas || typeof Chart === "undefined") return;
  const existing = charts[chart.key];
  if (existing) {
    existing.data.labels = chart.labels;
    existing.data.datasets[0].data = chart.values;
    existing.update("none");
    return;
  }
  const unit = chart.unit ? ` ${chart.unit}` : "";
  charts[chart.key] = new Chart(canvas, {
    type: chart.kind,
    data: { labels: chart.labels, datasets: [{ label: chart.title, data: chart.values }] },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${item.formattedValue}${unit}` } } },
      scales: { y: { beginAtZero: true } },
      locale: document.documentElement.lang || undefined,
    },
  });
}

function show(payload) {
  for (const card of Object.values(payload.cards)) {
    const link = document.querySelector(`[data-card="${card.key}"]`);
    if (!link) continue;
    link.querySelector(".home-card-value").textContent = card.value;
    link.querySelector(".home-card-label").textContent = card.label;
    link.href = card.url;
    link.classList.toggle("home-card-alert", card.alert);
  }
  Object.values(payload.charts).forEach(drawChart);
}

let reading = false;
let again = false;

async function refresh() {
  if (reading) {
    again = true;
    return;
  }
  reading = true;
  try {
    const response = await fetch(config.figuresUrl, { credentials: "same-origin" });
    if (response.ok) show(await response.json());
  } finally {
    reading = false;
    if (again) {
      again = false;
      setTimeout(refresh, 1000);
    }
  }
}

function setState(state, text) {
  if (!stateLabel) return;
  stateLabel.dataset.state = state;
  stateLabel.textContent = text;
}

show(config);
if (stateLabel) {
  follow(config, { onMessage: refresh, onState: setState, onResync: refresh });
}
