/**
 * The console script's base (plain browser JavaScript, shipped as it is
 * served): building elements (text only, never HTML, so no stored value can
 * run as script), the API client that authenticates each request (a bearer
 * token, or an HMAC signature made with Web Crypto) and marks replays with
 * the console's header, the log-in form, the router and live refresh, and
 * the banner that says when the server is slow to answer or a refresh
 * failed (what is shown is then older than it looks).
 *
 * @module
 */

/** The base of the console script. */
export const SCRIPT_CORE = String.raw`
const KEY = "ordo.console.credential";
const main = document.getElementById("main");
let page = { stop: function () {} };
// Each route is a generation: an answer that arrives after the user moved on
// is dropped (a late page once replaced the one navigated to since).
let generation = 0;
const STALE = "stale";
// The banner's state: requests waiting (their start times) and the last refresh that failed.
const waiting = new Set();
let refreshFailed = null;
// Since when the store has not answered (503 from the console: its database
// down or unreachable), as the server counts it; cleared by the first answer that works.
let downSince = null;
// Set while a failed page tries itself again: its notice stays up meanwhile.
let retrying = false;
let loginNote = "";

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const name in attrs || {}) {
    const value = attrs[name];
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of [].concat(children || [])) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return node;
}

function fill(node, children) {
  node.replaceChildren.apply(node, children.filter(function (c) { return c !== undefined && c !== null && c !== false; }));
}

function show() {
  fill(main, Array.prototype.slice.call(arguments));
}

function credential() {
  try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
}

async function sign(secret, method, pathAndQuery, body) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const bodyHash = hex(await crypto.subtle.digest("SHA-256", encoder.encode(body)));
  const text = ["ORDO-HMAC-SHA256", timestamp, method.toUpperCase(), pathAndQuery, bodyHash].join("\n");
  const signature = hex(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
  return { authorization: "ORDO-HMAC-SHA256 " + signature, "x-ordo-timestamp": timestamp };
}

async function api(method, path, given) {
  const who = given || credential();
  if (!who) throw new Error("Not logged in");
  const url = new URL("api/" + path, location.href);
  const body = method === "GET" ? "" : "{}";
  const headers = who.scheme === "hmac"
    ? await sign(who.secret, method, url.pathname + url.search, body)
    : { authorization: "Bearer " + who.secret };
  if (method !== "GET") {
    headers["x-ordo-console"] = "1";
    headers["content-type"] = "application/json";
  }
  const mine = generation;
  const started = { at: Date.now() };
  waiting.add(started);
  let response;
  try {
    response = await fetch(url, { method: method, headers: headers, body: method === "GET" ? undefined : body });
  } catch (error) {
    if (mine !== generation) throw stale();
    throw new Error("The console's server did not answer (" + error.message + "): is it running?");
  } finally {
    waiting.delete(started);
    banner();
  }
  const data = await response.json().catch(function () { return {}; });
  if (response.ok) downSince = null;
  else if (response.status === 503 && data._tag === "StoreUnavailableError") {
    // Since the server first found its store unreachable (it says how long ago, so
    // this browser's clock need not agree with its), else since this request.
    downSince = typeof data.unreachableMs === "number" ? Date.now() - data.unreachableMs : downSince || started.at;
  }
  if (mine !== generation) throw stale();
  if (!response.ok) {
    const error = new Error(data.message || ("HTTP " + response.status));
    error.status = response.status;
    error.tag = data._tag;
    error.body = data;
    throw error;
  }
  return data;
}

function stale() {
  const error = new Error("The page changed before this answer came");
  error.tag = STALE;
  return error;
}

// Says what the page cannot: that an answer is late, or that a refresh
// failed and what is shown was read earlier. Hidden when neither.
function banner() {
  const node = document.getElementById("connection");
  const now = Date.now();
  let oldest = now;
  waiting.forEach(function (w) { oldest = Math.min(oldest, w.at); });
  const late = now - oldest >= 3000 ? Math.round((now - oldest) / 1000) : 0;
  const parts = [];
  if (refreshFailed) {
    parts.push((downSince ? "The store is not answering (for " + duration(now - downSince) + "). " : "") +
      "Cannot refresh: " + refreshFailed.message + (/\?$/.test(refreshFailed.message) ? " " : ". ") +
      "Retrying every 2 s; what is shown was read at " + time(refreshFailed.since) + ".");
  }
  if (late > 0) parts.push("Waiting " + late + " s for the console's server to answer: is its store reachable?");
  node.textContent = parts.join(" ");
  node.hidden = parts.length === 0;
}
setInterval(banner, 1000);

// "42 s", "3 min 5 s", "2 h 4 min": how long, to the second under an hour.
function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}

function query(params) {
  const search = new URLSearchParams();
  for (const name in params) if (params[name] !== undefined && params[name] !== "") search.set(name, params[name]);
  const text = search.toString();
  return text === "" ? "" : "?" + text;
}

function time(value) {
  if (value === undefined || value === null) return "-";
  const date = new Date(value);
  // Marked UTC: unmarked, a time reads as the viewer's own zone.
  return isNaN(date.getTime()) ? String(value) : date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

function lagText(view) {
  if (view.lag === undefined || view.lag === null) return "?";
  return String(view.lag) + (view.lagCapped ? "+" : "");
}

// A lag cell: the count, and where the count stopped at its cap, how long
// ago the oldest message the group has still to handle was written.
function lagCell(view) {
  const capped = view.lagCapped && view.oldestUnhandledAt !== undefined && view.oldestUnhandledAt !== null;
  return el("td", { class: "num" }, [
    el("span", { class: "lag", text: lagText(view) }),
    capped ? el("div", {
      class: "muted behind",
      title: "The oldest message it has still to handle was written at " + time(view.oldestUnhandledAt) + ". The lag's count stops at " + view.lag + ".",
      text: "oldest from " + duration(Date.now() - Date.parse(view.oldestUnhandledAt)) + " ago",
    }) : null,
  ]);
}

function sourceText(source) {
  if (!source) return "?";
  const types = source.types ? " [" + source.types.join(", ") + "]" : "";
  if (source.stream) return "stream " + source.stream;
  return source.category ? "category " + source.category + types : "all" + types;
}

// A line over the values, scaled to its box. With a floor (a lag's is 0) the
// bottom is the floor: a lag of 0 throughout was drawn along the top, as if
// at its highest.
function sparkline(values, className, floor) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", className || "spark");
  svg.setAttribute("viewBox", "0 0 100 20");
  svg.setAttribute("preserveAspectRatio", "none");
  if (values.length > 1) {
    const highest = Math.max.apply(null, values);
    const min = floor === undefined ? Math.min.apply(null, values.concat([highest - 1])) : floor;
    const max = Math.max(highest, min + 1);
    const points = values.map(function (v, i) {
      return (i * 100 / (values.length - 1)).toFixed(1) + "," + (19 - ((v - min) / (max - min)) * 18).toFixed(1);
    });
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.join(" "));
    svg.append(line);
  }
  return svg;
}

function notice(text, kind) {
  return el("div", { class: "notice" + (kind ? " " + kind : ""), role: "status", text: text });
}

// The NATS transport's groups could not be listed: what is shown lacks them, and says so.
function natsGroupsFailed(data) {
  if (!data.natsEventGroupsFailed) return null;
  const text = "The NATS transport's groups are missing here: listing them failed (" + data.natsEventGroupsFailed + ").";
  return el("div", { class: "notice bad", role: "status", id: "nats-groups-failed", text: text });
}

// In a box of its own that scrolls sideways when the table is wider than the
// screen (a phone): the page itself, its header included, never does.
function table(headers, rows, attrs) {
  return el("div", { class: "table-box" }, el("table", attrs, [
    el("thead", {}, el("tr", {}, headers.map(function (h) { return el("th", { text: h }); }))),
    el("tbody", {}, rows),
  ]));
}

// Renders now and again every interval. A failed refresh keeps what was
// shown and says so in the banner, since when; the next one that works clears it.
function live(render, interval) {
  let stopped = false;
  let timer;
  let readAt = null;
  async function tick() {
    try {
      await render();
      readAt = Date.now();
      refreshFailed = null;
    } catch (error) {
      if (error.tag === STALE) return;
      if (error.status === 401) return logOut(error);
      if (!stopped) refreshFailed = { message: error.message.replace(/\.$/, ""), since: readAt };
    }
    banner();
    if (!stopped) timer = setTimeout(tick, interval);
  }
  tick();
  return { stop: function () { stopped = true; clearTimeout(timer); } };
}

function failed(error) {
  if (error.tag === STALE) return;
  if (error.status === 401) return logOut(error);
  // A server or store failure may pass: the page tries itself again every
  // 3 s (and at once with Try again), keeping this notice up meanwhile.
  const passing = error.status === undefined || error.status >= 500;
  show(
    notice((downSince ? "The store is not answering (for " + duration(Date.now() - downSince) + "). " : "") + error.message, "bad"),
    passing ? el("p", { class: "muted", id: "retrying", text: "Trying again every 3 s." }) : null,
    passing ? el("button", { type: "button", id: "try-again", text: "Try again", onclick: function () { route(); } }) : null,
  );
  if (passing) {
    const timer = setTimeout(function () { retrying = true; route(); }, 3000);
    page = { stop: function () { clearTimeout(timer); } };
  }
}

// A refused credential (rotated, or the console restarted with another)
// sends the user to the log-in form, which says why.
function logOut(error) {
  sessionStorage.removeItem(KEY);
  session = null;
  loginNote = error ? "Logged out: the server no longer accepts this credential (" + error.message + "). Log in again with the current one." : "";
  route();
}

function logIn() {
  document.getElementById("who").textContent = "";
  document.getElementById("logout").hidden = true;
  const scheme = el("select", { name: "scheme", id: "login-scheme" }, [
    el("option", { value: "bearer", text: "Bearer token" }),
    el("option", { value: "hmac", text: "HMAC secret" }),
  ]);
  const secret = el("input", { type: "password", name: "secret", id: "login-secret", autocomplete: "off", required: true });
  const message = el("p", { class: "error-text", id: "login-error", text: loginNote });
  loginNote = "";
  const form = el("form", {
    onsubmit: async function (event) {
      event.preventDefault();
      const given = { scheme: scheme.value, secret: secret.value };
      try {
        await api("GET", "session", given);
        sessionStorage.setItem(KEY, JSON.stringify(given));
        route();
      } catch (error) {
        message.textContent = error.status === 401 ? "Not accepted: " + error.message : error.message;
      }
    },
  }, [
    el("label", {}, ["Credential", scheme]),
    el("label", {}, ["Token or secret", secret]),
    el("button", { type: "submit", class: "primary", id: "login-submit", text: "Log in" }),
    message,
  ]);
  show(el("div", { class: "login" }, [el("h1", { text: "Log in to the ordo console" }), form]));
}

let session = null;

async function route() {
  const quiet = retrying;
  retrying = false;
  page.stop();
  page = { stop: function () {} };
  generation++;
  refreshFailed = null;
  banner();
  if (!credential()) return logIn();
  if (!session) {
    try { session = await api("GET", "session"); } catch (error) { session = null; return failed(error); }
  }
  document.getElementById("who").textContent = (session.name ? session.name + " · " : "") + session.role;
  document.getElementById("logout").hidden = false;
  const hash = location.hash.replace(/^#\/?/, "") || "overview";
  const parts = hash.split("?");
  const segments = parts[0].split("/").map(decodeURIComponent);
  const params = new URLSearchParams(parts[1] || "");
  document.querySelectorAll("[data-nav]").forEach(function (link) {
    link.classList.toggle("active", link.getAttribute("data-nav") === segments[0] || (segments[0] === "stream" || segments[0] === "message") && link.getAttribute("data-nav") === "streams");
  });
  const pages = { overview: overviewPage, streams: streamsPage, stream: streamPage, message: messagePage, consumers: consumersPage, parked: parkedPage };
  const render = pages[segments[0]] || overviewPage;
  // Until the page draws itself: the last page's content would read as this
  // one's. A page trying itself again keeps its failure up instead.
  if (!quiet) show(el("p", { class: "muted", id: "loading", text: "Loading…" }));
  try {
    page = (await render(segments.slice(1), params)) || page;
  } catch (error) {
    failed(error);
  }
}

function confirmDialog(text, action) {
  const dialog = document.getElementById("dialog");
  document.getElementById("dialog-text").textContent = text;
  document.getElementById("dialog-confirm").textContent = action;
  dialog.hidden = false;
  return new Promise(function (resolve) {
    function done(answer) {
      dialog.hidden = true;
      document.getElementById("dialog-confirm").onclick = null;
      document.getElementById("dialog-cancel").onclick = null;
      resolve(answer);
    }
    document.getElementById("dialog-confirm").onclick = function () { done(true); };
    document.getElementById("dialog-cancel").onclick = function () { done(false); };
  });
}

function start() {
  document.getElementById("logout").addEventListener("click", function () { logOut(); });
  window.addEventListener("hashchange", route);
  route();
}
`;
