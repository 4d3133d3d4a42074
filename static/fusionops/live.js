// A client of /ws/notify/ for the portal's own pages: it resumes from the last position it
// has seen after any disconnect, so nothing is missed, and reconnects with backoff.

// follow({ wsUrl, topics, position, heartbeatSeconds, labels }, { onMessage, onState, onResync })
// onMessage(message) gets each event message once, in position order; onState(state, text)
// the connection's state ("connecting", "open", "reconnecting", "offline", "idle");
// onResync() is called when more was missed than the server replays.
export function follow(config, { onMessage, onState, onResync }) {
  const labels = config.labels;
  let lastPosition = config.position;
  let socket = null;
  let attempt = 0;
  let heardAt = 0;
  let watchdog = null;

  function receive(message) {
    heardAt = Date.now();
    if (message.type === "ping") {
      socket.send(JSON.stringify({ action: "pong" }));
    } else if (message.type === "subscribed") {
      attempt = 0;
      lastPosition = Math.max(lastPosition, message.position ?? 0);
      onState("open", labels.live);
    } else if (message.type === "resync") {
      socket.close();
      onResync();
    } else if (message.type === "error") {
      console.warn("live:", message.code, message.detail);
    } else if (typeof message.position === "number" && message.position > lastPosition) {
      lastPosition = message.position;
      onMessage(message);
    }
  }

  function reconnectLater() {
    clearInterval(watchdog);
    attempt += 1;
    // Exponential backoff with jitter, at most 30 s.
    const delay = Math.min(30000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
    onState("reconnecting", labels.reconnecting.replace("%s", Math.ceil(delay / 1000)));
    setTimeout(connect, delay);
  }

  function connect() {
    if (!config.topics.length) {
      onState("idle", labels.idle);
      return;
    }
    onState("connecting", labels.connecting);
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
      clearInterval(watchdog);
      if (event.code === 4401) {
        onState("offline", labels.signedOut);
        return;
      }
      reconnectLater();
    });
  }

  connect();
}
