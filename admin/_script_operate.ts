/**
 * The console script's operating pages (plain browser JavaScript):
 * consumers (state, partitions and owners, lag now and over the last
 * minutes, refreshed live) and parked messages, which an operator replays,
 * one or all, after a confirmation, and then watches: replayed, failed
 * again, or waiting for a consumer of the group to start.
 *
 * @module
 */

/** The consumers and parked pages. */
export const SCRIPT_OPERATE = String.raw`
async function consumersPage() {
  const holder = el("div", { id: "consumers" });
  show(el("h1", { text: "Consumers" }), holder);
  return live(async function () {
    const data = await api("GET", "consumers");
    if (data.groups.length === 0) {
      fill(holder, [natsGroupsFailed(data), el("p", { class: "muted", text: "No consumer groups yet: they appear once a consumer runs or commits." })]);
      return;
    }
    // Once a group's count has stopped at its cap within the window, its
    // chart is of how old its oldest unhandled message was (in seconds): a
    // capped count draws a flat line at the cap. Samples without a figure for
    // the group (before it was known) are left out, not drawn as 0.
    const lagChart = function (g) {
      const byAge = g.lagCapped || data.history.some(function (s) { return s.capped.indexOf(g.group) >= 0; });
      const values = data.history.map(function (s) {
        return byAge ? (s.ages[g.group] === undefined ? undefined : s.ages[g.group] / 1000) : s.lags[g.group];
      }).filter(function (value) { return value !== undefined; });
      return el("td", { class: byAge ? "by-age" : null }, [
        sparkline(values, "spark", 0),
        byAge ? el("div", { class: "muted", text: "age of the oldest unhandled" }) : null,
      ]);
    };
    const rows = data.groups.map(function (g) {
      return el("tr", { "data-group": g.group }, [
        el("td", { class: "mono long" }, [g.group, g.transport === "nats" ? el("div", { class: "muted transport", text: "NATS transport group" }) : null]),
        el("td", { class: "state-" + g.state, text: g.state + (g.running.length > 1 ? " ×" + g.running.length : "") }),
        el("td", { class: "long", text: sourceText(g.source) }),
        el("td", { class: "num", text: g.partitionCount }),
        lagCell(g),
        lagChart(g),
        el("td", { class: "num" }, g.parked > 0 ? el("a", { href: "#/parked" + query({ group: g.group }), text: g.parked }) : "0"),
        el("td", { class: "error-text long", text: g.lastError ? g.lastError.name + ": " + g.lastError.message : "" }),
      ]);
    });
    const details = data.groups.map(function (g) {
      const parts = g.partitions.map(function (p) {
        return el("tr", { "data-partition": p.partition }, [
          el("td", { class: "num", text: p.partition }),
          el("td", { class: "mono long", text: p.owner || "-" }),
          el("td", { class: "time", text: p.leaseExpiresAt ? time(p.leaseExpiresAt) : "-" }),
          el("td", { class: "num", text: p.checkpoint === undefined ? "-" : p.checkpoint }),
          el("td", { class: "num", text: lagText(p) }),
        ]);
      });
      return el("section", { "data-details": g.group }, [
        el("h2", { text: g.group + (g.pendingReplays > 0 ? " · " + g.pendingReplays + " replay(s) waiting" : "") }),
        g.transport === "nats" ? el("p", { class: "muted", "data-transport": "nats", text: "A NATS transport group (bus.subscribe): its checkpoint is the ack floor of its durable JetStream consumer " + (g.running[0] ? g.running[0].instance : "evt_<group>") + " on the store's stream, not an entry of the consumer storage. Read-only here: the transport takes no replays." }) : null,
        table(["Partition", "Owner", "Lease until", "Checkpoint", "Lag"], parts),
      ]);
    });
    fill(holder, [
      natsGroupsFailed(data),
      table(["Group", "State", "Reads", "Partitions", "Lag", "Lag, last minutes", "Parked", "Last error"], rows, { id: "consumers-table" }),
    ].concat(details, [el("p", { class: "muted", text: "Lag: messages of the group's source past its slowest checkpoint, counted up to 10,000; past that, how long ago the oldest of them was written is shown and charted. Refreshed every 2 s · " + time(Date.now()) })]));
  }, 2000);
}

async function watchReplay(asked, status) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const outcomes = await Promise.all(asked.messages.map(function (m) {
      return api("GET", "parked/" + encodeURIComponent(asked.group) + "/" + m.messageId + "/outcome" + query({ attempts: m.attempts }));
    }));
    const failedOnes = outcomes.filter(function (o) { return o.outcome === "failed"; });
    const open = outcomes.filter(function (o) { return o.outcome === "pending" || o.outcome === "taken"; });
    if (open.length === 0 || Date.now() > deadline) {
      if (failedOnes.length > 0) {
        status.replaceChildren(notice(failedOnes.length + " failed again, still parked: " + failedOnes[0].error.name + ": " + failedOnes[0].error.message, "bad"));
      } else if (open.length > 0) {
        status.replaceChildren(notice(open.length + " not replayed yet: is a consumer of group " + asked.group + " running?", "bad"));
      } else {
        status.replaceChildren(notice(outcomes.length + " replayed: handled and off the parked list.", "good"));
      }
      return;
    }
    await new Promise(function (resolve) { setTimeout(resolve, 400); });
  }
}

async function replay(group, messageId, status, after) {
  const what = messageId ? "message " + messageId : "every parked message";
  const ok = await confirmDialog("Replay " + what + " of group " + group + " through its running consumer's handler?", "Replay");
  if (!ok) return;
  try {
    const asked = await api("POST", "parked/" + encodeURIComponent(group) + (messageId ? "/" + messageId + "/replay" : "/replay-all"));
    status.replaceChildren(notice(asked.running === 0
      ? "Asked. No consumer of group " + group + " is running: the replay runs when one starts."
      : "Asked; waiting for the consumer of group " + group + "…"));
    if (asked.running > 0) await watchReplay(asked, status);
    after();
  } catch (error) {
    status.replaceChildren(notice(error.status === 403 ? "Refused: " + error.message : error.message, "bad"));
  }
}

async function parkedPage(segments, params) {
  const group = params.get("group") || "";
  const after = params.get("after") || "";
  const status = el("div", { id: "replay-status" });
  const holder = el("div", {});
  const operator = session && session.role === "operator";
  async function load() {
    const data = await api("GET", "parked" + query({ group: group, after: after }));
    const nats = data.natsTransportGroups || [];
    const rows = data.entries.map(function (e, i) {
      // The stack, in a row of its own under the entry, opened with a button
      // (a hover title could not be read by keyboard or on a phone); at the
      // box's left edge and the screen's width, wrapped, however far the
      // table is scrolled.
      const stack = e.error.stack ? el("tr", { class: "stack-row", id: "stack-" + i, hidden: true },
        el("td", { colspan: 8 }, el("pre", { class: "stack", text: e.error.stack }))) : null;
      const toggle = stack ? el("button", {
        type: "button", class: "show-stack", "aria-expanded": "false", "aria-controls": "stack-" + i, text: "Show stack",
        onclick: function () {
          stack.hidden = !stack.hidden;
          toggle.setAttribute("aria-expanded", String(!stack.hidden));
          toggle.textContent = stack.hidden ? "Show stack" : "Hide stack";
        },
      }) : null;
      return [el("tr", { "data-message": e.message.id }, [
        el("td", { class: "mono long", text: e.group }),
        el("td", { class: "mono", text: e.message.id }),
        el("td", { class: "long" }, el("a", { href: "#/message/" + e.message.globalPosition, text: e.message.streamName + "@" + e.message.streamVersion })),
        el("td", { class: "long", text: e.message.type }),
        el("td", { class: "num", text: e.attempts }),
        el("td", { class: "time", text: time(e.parkedAt) }),
        el("td", { class: "error-text long" }, [e.error.name + ": " + e.error.message, toggle]),
        el("td", {}, nats.indexOf(e.group) >= 0 ? el("span", { class: "muted", text: "NATS transport group: no replay" }) : operator ? el("button", { type: "button", class: "replay", text: "Replay", onclick: function () { replay(e.group, e.message.id, status, load); } }) : null),
      ]), stack];
    }).flat();
    const groups = data.groups.filter(function (g) { return nats.indexOf(g) < 0 && data.entries.some(function (e) { return e.group === g; }); });
    // A group with more than one page says so, with a link to its next page: a list never stops silently.
    const more = data.more.map(function (m) {
      return el("p", { class: "notice", "data-more": m.group }, [
        (after ? "These are " : "Showing ") + m.shown + (m.count === undefined ? "" : " of " + m.count) + " parked messages of " + m.group + ". ",
        el("a", { href: "#/parked" + query({ group: m.group, after: m.after }), text: "Next page" }),
      ]);
    });
    fill(holder, [
      natsGroupsFailed(data),
      rows.length === 0 ? el("p", { class: "muted", id: "no-parked", text: "No parked messages." }) : table(["Group", "Message", "Stream", "Type", "Attempts", "Parked at", "Error", ""], rows, { id: "parked-table" }),
      more.length === 0 ? null : el("div", { id: "parked-more" }, more),
      operator && groups.length > 0 ? el("div", { class: "pager" }, groups.map(function (g) {
        return el("button", { type: "button", class: "replay-all", "data-group": g, text: "Replay all of " + g, onclick: function () { replay(g, undefined, status, load); } });
      })) : null,
      operator ? null : el("p", { class: "muted", id: "viewer-note", text: "Replaying needs the operator role." }),
    ]);
  }
  show(el("h1", { text: "Parked messages" + (group ? " of " + group : "") }), status, holder);
  await load();
}
`;
