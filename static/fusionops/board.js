// The live operations board: follows /ws/notify/ and keeps the page current.
// It resumes from the last position it has seen after any disconnect, so nothing is missed;
// on "resync" (too much missed) it reloads, drawing the board afresh from the server.

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
const timeFormat = new Intl.DateTimeFormat(undefined, {
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

let lastPosition = config.position;
let socket = null;
let attempt = 0;
let heardAt = 0;
let watchdog = null;

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
  feedItem("low-stock", "level", `${data.item_id}:${data.location_id}`,
    `${data.sku} @ ${data.location_id}: ${data.available} available, reorder point ${data.reorder_point}`);
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
  status.textContent = data.status;
  item.replaceChildren(number, " ", status, ` ${data.total}`);
}

const handlers = {
  allocationCreated: showAllocation,
  allocationCancelled: showAllocation,
  stockLow: showLowStock,
  stockReplenished: showReplenished,
  orderStatusChanged: showOrder,
};

function receive(message) {
  heardAt = Date.now();
  if (message.type === "ping") {
    socket.send(JSON.stringify({ action: "pong" }));
  } else if (message.type === "subscribed") {
    attempt = 0;
    lastPosition = Math.max(lastPosition, message.position);
    setState("open", "Live");
  } else if (message.type === "resync") {
    // Too much was missed to replay: draw the board afresh (the page resumes from there).
    socket.close();
    window.location.reload();
  } else if (message.type === "error") {
    console.warn("board:", message.code, message.detail);
  } else if (handlers[message.type] && message.position > lastPosition) {
    lastPosition = message.position;
    handlers[message.type](message.data);
  }
}

function reconnectLater() {
  clearInterval(watchdog);
  attempt += 1;
  // Exponential backoff with jitter, at most 30 s.
  const delay = Math.min(30000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
  setState("reconnecting", `Reconnecting in ${Math.ceil(delay / 1000)} s…`);
  setTimeout(connect, delay);
}

function connect() {
  if (!config.topics.length) {
    setState("idle", "Nothing to follow");
    return;
  }
  setState("connecting", "Connecting…");
  socket = new WebSocket(config.wsUrl);
  socket.addEventListener("open", () => {
    heardAt = Date.now();
    socket.send(
      JSON.stringify({ action: "subscribe", topics: config.topics, after_position: lastPosition }),
    );
    // The server pings every heartbeatSeconds; silence for much longer means a dead link.
    watchdog = setInterval(() => {
      if (Date.now() - heardAt > config.heartbeatSeconds * 2500) socket.close();
    }, 1000);
  });
  socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    if (event.code === 4401) {
      setState("offline", "Signed out: reload the page to sign in again");
      return;
    }
    reconnectLater();
  });
}

connect();
