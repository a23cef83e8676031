/**
 * The console script's base (plain browser JavaScript, shipped as it is
 * served): building elements (text only, never HTML, so no stored value can
 * run as script), the API client that authenticates each request (a bearer
 * token, or an HMAC signature made with Web Crypto) and marks replays with
 * the console's header, the log-in form, the router and live refresh.
 *
 * @module
 */

/** The base of the console script. */
export const SCRIPT_CORE = String.raw`
const KEY = "ordo.console.credential";
const main = document.getElementById("main");
let page = { stop: function () {} };

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
  const response = await fetch(url, { method: method, headers: headers, body: method === "GET" ? undefined : body });
  const data = await response.json().catch(function () { return {}; });
  if (!response.ok) {
    const error = new Error(data.message || ("HTTP " + response.status));
    error.status = response.status;
    error.tag = data._tag;
    throw error;
  }
  return data;
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

function sourceText(source) {
  if (!source) return "?";
  const types = source.types ? " [" + source.types.join(", ") + "]" : "";
  if (source.stream) return "stream " + source.stream;
  return source.category ? "category " + source.category + types : "all" + types;
}

function sparkline(values, className) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", className || "spark");
  svg.setAttribute("viewBox", "0 0 100 20");
  svg.setAttribute("preserveAspectRatio", "none");
  if (values.length > 1) {
    const max = Math.max.apply(null, values);
    const min = Math.min.apply(null, values.concat([max - 1]));
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

function table(headers, rows, attrs) {
  return el("table", attrs, [
    el("thead", {}, el("tr", {}, headers.map(function (h) { return el("th", { text: h }); }))),
    el("tbody", {}, rows),
  ]);
}

function live(render, interval) {
  let stopped = false;
  let timer;
  async function tick() {
    try { await render(); } catch (error) { if (error.status === 401) return logOut(); }
    if (!stopped) timer = setTimeout(tick, interval);
  }
  tick();
  return { stop: function () { stopped = true; clearTimeout(timer); } };
}

function failed(error) {
  if (error.status === 401) return logOut();
  show(notice(error.message, "bad"));
}

function logOut() {
  sessionStorage.removeItem(KEY);
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
  const message = el("p", { class: "error-text", id: "login-error" });
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
  page.stop();
  page = { stop: function () {} };
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
  document.getElementById("logout").addEventListener("click", function () { session = null; logOut(); });
  window.addEventListener("hashchange", route);
  route();
}
`;
