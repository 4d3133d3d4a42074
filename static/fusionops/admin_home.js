// The admin home: its figures follow the live stream. Any message on the page's topics
// means some figure may have moved, so the page reads them again: pushed, never polled.
// One read at a time, and at most one a second while messages keep coming.
import { drawChart } from "./charts.js";
import { follow } from "./live.js";

const config = JSON.parse(document.getElementById("home-config").textContent);
const stateLabel = document.getElementById("home-state");
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
