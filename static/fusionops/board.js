// The live operations board: follows /ws/notify/ and keeps the page current.
import { follow } from "./live.js";

const config = JSON.parse(document.getElementById("board-config").textContent);

// The board draws the viewer's own day: a first visit names the browser's time zone.
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (!config.zoneChosen && browserZone && browserZone !== config.timeZone) {
  const url = new URL(window.location.href);
  url.searchParams.set("tz", browserZone);
  window.location.replace(url);
}

const stateLabel = document.getElementById("board-state");
const dayStart = Date.parse(config.periodStart);
const dayLength = Date.parse(config.periodEnd) - dayStart;
const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: config.timeZone,
});

// Keyboard: ← and → move by the period, T goes to today, D and W switch the span.
const keys = { ArrowLeft: "board-previous", ArrowRight: "board-next", t: "board-today",
  d: "board-day", w: "board-week" };
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName)) return;
  const link = document.getElementById(keys[event.key]);
  if (link) {
    event.preventDefault();
    link.click();
  }
});

function setState(state, text) {
  stateLabel.dataset.state = state;
  stateLabel.textContent = text;
}

function percent(moment) {
  return Math.max(0, Math.min(1, (moment - dayStart) / dayLength)) * 100;
}

function laneFor(resourceId) {
  const lanes = document.getElementById("lanes");
  let lane = lanes.querySelector(`[data-resource="${resourceId}"]`);
  if (!lane) {
    lane = document.createElement("div");
    lane.className = "timeline-lane";
    lane.dataset.resource = resourceId;
    const name = document.createElement("span");
    name.className = "lane-name";
    name.textContent = `#${resourceId}`;
    const track = document.createElement("span");
    track.className = "timeline-track";
    lane.append(name, track);
    lanes.append(lane);
  }
  return lane.querySelector(".timeline-track");
}

function showAllocation(data) {
  if (!document.getElementById("lanes")) return;
  document.querySelector(`[data-allocation="${data.allocation_id}"]`)?.remove();
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  if (data.status !== "booked" || to <= dayStart || from >= dayStart + dayLength) return;
  const bar = document.createElement("span");
  const project = config.projects[String(data.project_id)] ?? `#${data.project_id}`;
  bar.className = "timeline-bar timeline-bar-new";
  bar.dataset.allocation = data.allocation_id;
  bar.style.left = `${percent(from)}%`;
  bar.style.width = `${Math.max(percent(to) - percent(from), 0.5)}%`;
  bar.tabIndex = 0;
  bar.title = `${project} ${timeFormat.format(from)} – ${timeFormat.format(to)}`;
  bar.setAttribute("aria-label", bar.title);
  bar.textContent = project;
  laneFor(data.resource_id).append(bar);
}

function feedItem(listId, key, value, text) {
  const list = document.getElementById(listId);
  if (!list) return null;
  list.querySelector(".feed-empty")?.remove();
  let item = list.querySelector(`[data-${key}="${value}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset[key] = value;
  }
  item.textContent = text;
  list.prepend(item);
  return item;
}

function showLowStock(data) {
  const text = config.labels.lowStock.replace("{sku}", data.sku)
    .replace("{location}", data.location_id).replace("{available}", data.available)
    .replace("{point}", data.reorder_point);
  feedItem("low-stock", "level", `${data.item_id}:${data.location_id}`, text);
}

function showReplenished(data) {
  document.querySelector(`#low-stock [data-level="${data.item_id}:${data.location_id}"]`)?.remove();
}

function showOrder(data) {
  const item = feedItem("order-feed", "order", data.order_id, "");
  if (!item) return;
  const number = document.createElement("strong");
  number.textContent = data.number;
  const status = document.createElement("span");
  status.className = `order-status status-${data.status}`;
  status.textContent = config.labels.statuses[data.status] ?? data.status;
  item.replaceChildren(number, " ", status, ` ${data.total}`);
}

const handlers = {
  allocationCreated: showAllocation,
  allocationCancelled: showAllocation,
  stockLow: showLowStock,
  stockReplenished: showReplenished,
  orderStatusChanged: showOrder,
};

// On "resync" (too much missed) the board reloads, drawn afresh from the server.
follow(config, {
  onMessage: (message) => handlers[message.type]?.(message.data),
  onState: setState,
  onResync: () => window.location.reload(),
});
