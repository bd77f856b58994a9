// Charts of the network's evolution by cycle. The page's table carries the same figures (and
// is what screen readers and printouts use); the charts read them from a JSON script tag.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

// Colours of the stylesheet's palette, distinguishable by people with common colour blindness.
const COLOURS = ["#0f6b5c", "#1f5fae", "#a35200", "#7b3fa0", "#9c2f52", "#4d6b12"];
const KINDS = { counts: "line", shares: "line", ties: "bar" };

function draw(canvas, data) {
  const chart = data[canvas.dataset.chart];
  if (!chart || !data.labels?.length) return;
  const type = KINDS[canvas.dataset.chart] ?? "line";
  const percent = canvas.dataset.chart === "shares";
  const locale = document.documentElement.lang || undefined;
  new Chart(canvas, {
    type,
    data: {
      labels: data.labels,
      datasets: chart.series.map((series, i) => ({
        label: series.label,
        data: series.data,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        borderWidth: 2,
        pointRadius: 3,
        spanGaps: true,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
      locale,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      scales: {
        y: {
          beginAtZero: true,
          ...(percent ? { max: 100, ticks: { callback: (v) => `${v}%` } } : { ticks: { precision: 0 } }),
        },
      },
    },
  });
}

function init() {
  const source = document.getElementById("evolution-chart-data");
  if (!source) return;
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch {
    return;
  }
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => draw(canvas, data));
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
