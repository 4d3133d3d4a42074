// Charts of the portal's pages, drawn by Chart.js (served by the portal itself, loaded as a
// classic script before the modules that use it). A chart is
// { key, title, kind, labels, datasets: [{ label, data }], unit }.
const drawn = {};

export function drawChart(chart) {
  const canvas = document.querySelector(`canvas[data-chart="${chart.key}"]`);
  if (!canvas || typeof Chart === "undefined") return;
  const existing = drawn[chart.key];
  if (existing) {
    existing.data.labels = chart.labels;
    chart.datasets.forEach((dataset, index) => {
      existing.data.datasets[index].data = dataset.data;
    });
    existing.update("none");
    return;
  }
  const unit = chart.unit ? ` ${chart.unit}` : "";
  drawn[chart.key] = new Chart(canvas, {
    type: chart.kind,
    data: {
      labels: chart.labels,
      datasets: chart.datasets.map((dataset) => ({ label: dataset.label, data: dataset.data })),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      locale: document.documentElement.lang || undefined,
      plugins: {
        legend: { display: chart.datasets.length > 1 },
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label}: ${item.formattedValue}${unit}` },
        },
      },
      scales: { y: { beginAtZero: true } },
    },
  });
}
