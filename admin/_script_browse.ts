/**
 * The console script's reading pages (plain browser JavaScript): the
 * overview (head, append rate, consumers with their lag, refreshed live),
 * the stream browser with its filters and paging, one stream, and one
 * message with its data, metadata, correlation and causation links and
 * trace id.
 *
 * @module
 */

/** The overview, streams, stream and message pages. */
export const SCRIPT_BROWSE = String.raw`
async function overviewPage() {
  const heading = el("h1", { text: "Overview" });
  const holder = el("div", { id: "overview" });
  show(heading, holder);
  return live(async function () {
    const data = await api("GET", "overview");
    const rate = data.rate === undefined || data.rate === null ? "–" : data.rate.toFixed(1) + "/s";
    const streams = data.streams ? data.streams.count + (data.streams.capped ? "+" : "") : "?";
    const card = function (label, value, id) {
      return el("div", { class: "card" }, [el("div", { class: "label", text: label }), el("div", { class: "value", id: id, text: value })]);
    };
    const rows = data.consumers.map(function (c) {
      return el("tr", { "data-group": c.group }, [
        el("td", { class: "long" }, [el("a", { href: "#/consumers", text: c.group }), c.transport === "nats" ? el("div", { class: "muted transport", text: "NATS transport group" }) : null]),
        el("td", { class: "state-" + c.state, text: c.state }),
        lagCell(c),
        el("td", { class: "num", text: c.parked }),
      ]);
    });
    fill(holder, [
      natsGroupsFailed(data),
      el("div", { class: "cards" }, [
        card("Head position", data.head, "head"),
        card("Append rate", rate, "rate"),
        card("Streams", streams, "streams"),
        card("Categories", data.categories ? data.categories.length : "?", "categories"),
      ]),
      el("h2", { text: "Head over the last minutes" }),
      sparkline(data.history.map(function (s) { return Number(s.head); }), "chart"),
      el("h2", { text: "Consumers" }),
      rows.length === 0 ? el("p", { class: "muted", text: "No consumer groups yet." }) : table(["Group", "State", "Lag", "Parked"], rows, { id: "overview-consumers" }),
      el("p", { class: "muted", text: "Refreshed every 2 s · " + time(Date.now()) }),
    ]);
  }, 2000);
}

async function streamsPage(segments, params) {
  const filters = { category: params.get("category") || "", type: params.get("type") || "", prefix: params.get("prefix") || "" };
  const after = params.get("after") || "";
  const inputs = {};
  const field = function (name, label) {
    inputs[name] = el("input", { name: name, id: "filter-" + name, value: filters[name], placeholder: label });
    return el("label", {}, [label, inputs[name]]);
  };
  const form = el("form", {
    class: "filters",
    id: "stream-filters",
    onsubmit: function (event) {
      event.preventDefault();
      location.hash = "#/streams" + query({ category: inputs.category.value.trim(), type: inputs.type.value.trim(), prefix: inputs.prefix.value.trim() });
    },
  }, [field("category", "Category"), field("type", "Message type"), field("prefix", "Name starts with"), el("button", { type: "submit", class: "primary", text: "Filter" })]);
  const ref = el("input", { name: "message", id: "find-message", placeholder: "id or global position", required: true });
  const find = el("form", {
    class: "filters",
    id: "find-message-form",
    onsubmit: function (event) {
      event.preventDefault();
      location.hash = "#/message/" + encodeURIComponent(ref.value.trim());
    },
  }, [el("label", {}, ["Find a message", ref]), el("button", { type: "submit", text: "Open" })]);
  const data = await api("GET", "streams" + query({ category: filters.category, type: filters.type, prefix: filters.prefix, after: after, limit: 50 }));
  const rows = data.streams.map(function (s) {
    return el("tr", { "data-stream": s.streamName }, [
      el("td", { class: "long" }, el("a", { href: "#/stream/" + encodeURIComponent(s.streamName), text: s.streamName })),
      el("td", { class: "num", text: s.version }),
      el("td", { class: "num", text: s.globalPosition }),
      el("td", { class: "long", text: s.lastType }),
      el("td", { class: "time", text: time(s.lastTimestamp) }),
    ]);
  });
  const pager = el("div", { class: "pager" }, [
    after ? el("button", { type: "button", text: "First page", onclick: function () { location.hash = "#/streams" + query(filters); } }) : null,
    data.end ? el("span", { class: "muted", text: "End of the list." }) : el("button", {
      type: "button", id: "next-page", text: "Next page",
      onclick: function () { location.hash = "#/streams" + query(Object.assign({}, filters, { after: data.next })); },
    }),
  ]);
  show(
    el("h1", { text: "Streams" }),
    find,
    form,
    rows.length === 0 ? el("p", { class: "muted", id: "no-streams", text: data.end ? "No stream matches." : "None in this page; look further." }) : table(["Stream", "Version", "Position", "Last type", "Last at"], rows, { id: "streams-table" }),
    pager,
  );
}

// A stream with no message was never written: said so, with the nearest
// names of its category, rather than as a stream of 0 messages.
function noSuchStream(name, error) {
  const nearby = (error.body && error.body.nearby) || [];
  show(
    el("h1", {}, ["Stream ", el("span", { class: "mono", text: name })]),
    el("div", { class: "notice bad", id: "no-stream", role: "status" }, [
      "Stream " + name + " does not exist: no message was ever appended to it.",
      nearby.length === 0 ? null : el("span", { id: "nearby" }, [" Did you mean "].concat(nearby.map(function (n, i) {
        return [i === 0 ? "" : " or ", el("a", { href: "#/stream/" + encodeURIComponent(n), text: n })];
      }).flat(), ["?"])),
    ]),
    el("p", {}, el("a", { href: "#/streams" + query({ prefix: name.split("-")[0] }), text: "Streams whose names start with " + name.split("-")[0] })),
  );
}

async function streamPage(segments, params) {
  const name = segments[0];
  const from = Number(params.get("from") || 0);
  let data;
  try {
    data = await api("GET", "streams/" + encodeURIComponent(name) + query({ from: from, limit: 50 }));
  } catch (error) {
    if (error.status === 404 && error.tag === "NotFoundError") return noSuchStream(name, error);
    throw error;
  }
  const rows = data.messages.map(function (m) {
    return el("tr", { "data-position": m.globalPosition }, [
      el("td", { class: "num", text: m.streamVersion }),
      el("td", { class: "num" }, el("a", { href: "#/message/" + m.globalPosition, text: m.globalPosition })),
      el("td", { class: "long" }, el("a", { href: "#/message/" + m.globalPosition, text: m.type })),
      el("td", { class: "time", text: time(m.metadata.timestamp) }),
    ]);
  });
  const last = data.version === undefined || data.version === null ? -1 : data.version;
  show(
    el("h1", {}, ["Stream ", el("span", { class: "mono", text: name })]),
    el("p", { class: "muted", text: (last + 1) + (last === 0 ? " message" : " messages") + " · last at position " + (data.globalPosition || "-") }),
    table(["Version", "Position", "Type", "At"], rows, { id: "stream-messages" }),
    el("div", { class: "pager" }, [
      from > 0 ? el("button", { type: "button", text: "Earlier", onclick: function () { location.hash = "#/stream/" + encodeURIComponent(name) + query({ from: Math.max(0, from - 50) }); } }) : null,
      from + 50 <= last ? el("button", { type: "button", text: "Later", onclick: function () { location.hash = "#/stream/" + encodeURIComponent(name) + query({ from: from + 50 }); } }) : null,
    ]),
  );
}

function traceId(metadata) {
  const parts = typeof metadata.traceparent === "string" ? metadata.traceparent.split("-") : [];
  return parts.length === 4 ? parts[1] : undefined;
}

async function messagePage(segments) {
  const data = await api("GET", "messages/" + encodeURIComponent(segments[0]));
  const m = data.message;
  const meta = m.metadata || {};
  const row = function (label, value, id) {
    return [el("dt", { text: label }), el("dd", { id: id }, value === undefined || value === null ? "-" : value)];
  };
  const causation = meta.causationId === undefined ? "-" : data.causedBy
    ? el("a", { href: "#/message/" + data.causedBy.globalPosition, id: "caused-by", text: meta.causationId + " (" + data.causedBy.type + " in " + data.causedBy.streamName + ")" })
    : String(meta.causationId);
  show(
    el("h1", {}, ["Message ", el("span", { class: "mono", text: m.type })]),
    el("dl", { class: "fields", id: "message-fields" }, [].concat(
      row("Id", m.id, "message-id"),
      row("Stream", el("a", { href: "#/stream/" + encodeURIComponent(m.streamName), text: m.streamName }), "message-stream"),
      row("Version", String(m.streamVersion)),
      row("Global position", String(m.globalPosition), "message-position"),
      row("Written at", time(meta.timestamp)),
      row("Correlation id", meta.correlationId, "correlation-id"),
      row("Causation id", causation, "causation-id"),
      row("Trace id", traceId(meta), "trace-id"),
    )),
    el("h2", { text: "Data" }),
    el("pre", { id: "message-data", text: JSON.stringify(m.data, null, 2) }),
    el("h2", { text: "Metadata" }),
    el("pre", { id: "message-metadata", text: JSON.stringify(meta, null, 2) }),
  );
}
`;
