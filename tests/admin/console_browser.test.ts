// The console in a real headless Chromium (Debian's, driven by puppeteer-core,
// which downloads no browser): log in, filter streams, open a message, watch a
// consumer's lag fall after appends, replay a parked message and see it
// handled, and be refused a replay without the operator role. Each test saves
// a screenshot (test-output/console/<runtime>/, or ORDO_SCREENSHOTS). Without
// chromium the tests are skipped, and say so.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import {
  type ConsoleRig,
  findChromium,
  screenshotPath,
  startConsole,
  textOn,
} from "./_console_fixture.ts";

const chromium = findChromium();
const SKIP =
  "chromium is not installed: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to run the console's browser tests";
if (chromium === undefined) console.log(`console browser tests skipped: ${SKIP}`);
const test = chromium === undefined ? it.skip : it;

describe("the console in Chromium", () => {
  let rig: ConsoleRig;
  let browser: Browser;
  let page: Page;

  const textOf = (selector: string, check: (text: string) => boolean, what: string) =>
    textOn(page, selector, check, what);

  const logIn = async (token: string) => {
    await page.goto(rig.url);
    await page.waitForSelector("#login-secret");
    await page.type("#login-secret", token);
    await page.click("#login-submit");
  };

  before(async () => {
    if (chromium === undefined) return;
    rig = await startConsole();
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 820 });
  });

  after(async () => {
    await browser?.close();
    await rig?.close();
  });

  test("logs in with an operator token and shows the overview: head, append rate, consumers", async () => {
    await logIn("not-the-token");
    await textOf("#login-error", (t) => t.startsWith("Not accepted"), "a wrong token is refused");
    await page.$eval("#login-secret", (input) => ((input as HTMLInputElement).value = ""));
    await page.type("#login-secret", "operator-token-7f3a9c");
    await page.click("#login-submit");
    const head = String(await rig.store.headPosition());
    await textOf("#head", (t) => t === head, "the head position");
    await textOf("#who", (t) => t === "ops · operator", "who is logged in");
    await textOf("#overview-consumers tr[data-group=totals] .lag", (t) => t === "0", "totals' lag");
    await rig.store.append("order-20", [{ type: "OrderPlaced", data: { total: 1 } }]);
    await textOf("#head", (t) => t === String(BigInt(head) + 1n), "the head follows appends live");
    await textOf("#rate", (t) => /\/s$/.test(t), "an append rate");
    await page.screenshot({ path: screenshotPath("overview") });
  });

  test("filters streams by category and type, opens a stream and a message with its links and trace id", async () => {
    await page.goto(`${rig.url}#/streams`);
    await page.waitForSelector("#streams-table");
    await page.type("#filter-category", "user");
    await page.click("#stream-filters button[type=submit]");
    await textOf(
      "#streams-table tbody",
      (t) => t.startsWith("user-1") && !t.includes("order-"),
      "only user streams",
    );
    await page.$eval("#filter-category", (input) => ((input as HTMLInputElement).value = ""));
    await page.type("#filter-category", "order");
    await page.type("#filter-type", "OrderShipped");
    await page.click("#stream-filters button[type=submit]");
    await textOf(
      "#streams-table tbody",
      (t) => t.startsWith("order-1") && !t.includes("order-2"),
      "order-1 alone",
    );
    await page.screenshot({ path: screenshotPath("streams") });
    await page.click("#streams-table tr[data-stream=order-1] a");
    await page.waitForSelector("#stream-messages");
    const rows = await page.$$eval(
      "#stream-messages tbody tr",
      (trs) => trs.map((tr) => tr.textContent),
    );
    assert.equal(rows.length, 2);
    await page.click("#stream-messages tbody tr:last-child td:nth-child(3) a");
    await textOf("#message-data", (t) => t.includes('"carrier": "DHL"'), "the message's data");
    await textOf("#correlation-id", (t) => t === "checkout-1", "the correlation id");
    await textOf("#trace-id", (t) => t === "4bf92f3577b34da6a3ce929d0e0e4736", "the trace id");
    await textOf("#caused-by", (t) => t.includes("OrderPlaced in order-1"), "the causation link");
    await page.screenshot({ path: screenshotPath("message") });
    await page.click("#caused-by");
    await textOf("#message-data", (t) => t.includes('"total": 10'), "the message that caused it");
  });

  test("watches a consumer's lag rise with appends and fall as it catches up", async () => {
    rig.slow.close();
    for (let i = 2; i <= 6; i++) {
      await rig.store.append(`user-${i}`, [{ type: "UserJoined", data: {} }]);
    }
    await page.goto(`${rig.url}#/consumers`);
    await textOf(
      "#consumers-table tr[data-group=slow] .lag",
      (t) => t === "5",
      "the slow consumer's lag",
    );
    // The chart ends at the figure beside it: a regeneration of the screenshots
    // found the lag at 5 beside a line along 0 (the page's read came too soon
    // after a sample to be kept).
    const points = await page.$eval(
      "#consumers-table tr[data-group=slow] svg.spark polyline",
      (line) => line.getAttribute("points") ?? "",
    );
    const last = Number(points.split(" ").at(-1)?.split(",")[1]);
    assert.equal(last, 1, `the chart ends at its top, 5: ${points}`);
    await page.screenshot({ path: screenshotPath("consumers-lagging") });
    rig.slow.open();
    await textOf(
      "#consumers-table tr[data-group=slow] .lag",
      (t) => t === "0",
      "the lag falling to 0",
    );
    await textOf(
      "#consumers-table tr[data-group=totals] td:last-child",
      (t) => t === "RangeError: total 7 is cursed",
      "totals' last error",
    );
    await page.screenshot({ path: screenshotPath("consumers") });
  });

  test("replays a parked message after a confirmation, and sees it handled by the running consumer", async () => {
    rig.fix();
    await page.goto(`${rig.url}#/parked`);
    await page.waitForSelector(`#parked-table tr[data-message="${rig.poison}"] button.replay`);
    // Its stack, opened under it (a hover title before: unreadable by keyboard or on a phone).
    await page.click(`#parked-table tr[data-message="${rig.poison}"] button.show-stack`);
    await textOf(
      "#parked-table tr.stack-row:not([hidden]) pre.stack",
      (t) => t.startsWith("RangeError: total 7 is cursed\n    at "),
      "the stack",
    );
    await page.screenshot({ path: screenshotPath("parked-stack") });
    await page.click(`#parked-table tr[data-message="${rig.poison}"] button.replay`);
    await textOf(
      "#dialog-text",
      (t) => t.includes(`message ${rig.poison} of group totals`),
      "the confirmation",
    );
    await page.screenshot({ path: screenshotPath("parked-confirm") });
    await page.click("#dialog-confirm");
    await textOf(
      "#replay-status",
      (t) => t === "1 replayed: handled and off the parked list.",
      "the outcome",
    );
    assert.ok(rig.handled.has(rig.poison), "the consumer's handler ran on it");
    await page.waitForSelector("#no-parked");
    await page.screenshot({ path: screenshotPath("parked") });
  });

  test("refuses replays to a viewer: no replay buttons, and a forged request gets 403", async () => {
    const [message] = await rig.store.readStream("user-1");
    await rig.storage.parked.park({
      group: "audit",
      partition: 0,
      message,
      error: { name: "Error", message: "disk full" },
      attempts: 3,
      parkedAt: new Date().toISOString(),
    });
    await page.click("#logout");
    await page.waitForSelector("#login-secret");
    await page.type("#login-secret", "viewer-token-5b2e8d41");
    await page.click("#login-submit");
    await textOf("#who", (t) => t === "viewer", "the viewer role");
    await page.goto(`${rig.url}#/parked`);
    await page.waitForSelector(`#parked-table tr[data-message="${message.id}"]`);
    await textOf("#viewer-note", (t) => t === "Replaying needs the operator role.", "the note");
    assert.equal(await page.$$eval("button.replay, button.replay-all", (b) => b.length), 0);
    const forged = await page.evaluate(async (id) => {
      const response = await fetch(`api/parked/audit/${id}/replay`, {
        method: "POST",
        headers: { authorization: "Bearer viewer-token-5b2e8d41", "x-ordo-console": "1" },
      });
      return { status: response.status, body: await response.json() };
    }, message.id);
    assert.equal(forged.status, 403);
    assert.equal(forged.body._tag, "ForbiddenError");
    assert.equal(
      (await rig.storage.control.pendingReplays("audit")).length,
      0,
      "nothing was asked",
    );
    await page.screenshot({ path: screenshotPath("viewer") });
  });

  test("a group with more parked messages than a page says how many, and links to the next page", async () => {
    const [message] = await rig.store.readStream("user-1");
    const ids: string[] = [];
    for (let i = 1; i <= 101; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      await rig.storage.parked.park({
        group: "archive",
        partition: 0,
        message: { ...message, id, globalPosition: BigInt(1000 + i) },
        error: { name: "Error", message: "archive offline" },
        attempts: 1,
        parkedAt: new Date().toISOString(),
      });
    }
    try {
      await page.goto(`${rig.url}#/parked?group=archive`);
      await textOf(
        "#parked-more [data-more=archive]",
        (t) => t === "Showing 100 of 101 parked messages of archive. Next page",
        "the notice",
      );
      assert.equal(await page.$$eval("#parked-table tr[data-message]", (r) => r.length), 100);
      await page.click("#parked-more [data-more=archive] a");
      await page.waitForSelector(`#parked-table tr[data-message="${ids[100]}"]`);
      assert.equal(await page.$$eval("#parked-table tr[data-message]", (r) => r.length), 1);
      assert.equal(await page.$("#parked-more"), null, "the last page has no notice");
    } finally {
      for (const id of ids) await rig.storage.parked.remove("archive", id);
    }
  });

  // A trial at 1280 px found a long type pushing the error column off-screen,
  // and times with no zone: they read as the viewer's own.
  test("a long message type wraps, keeping every column on screen; times say UTC", async () => {
    const [message] = await rig.store.readStream("user-1");
    const id = crypto.randomUUID();
    const type = "Billing" + "VeryLongMessageTypeName".repeat(8);
    await rig.storage.parked.park({
      group: "wide",
      partition: 0,
      message: { ...message, id, type, globalPosition: 5000n },
      error: { name: "Error", message: "the error column must stay visible" },
      attempts: 1,
      parkedAt: "2026-12-07T12:42:01.000Z",
    });
    await page.setViewport({ width: 1280, height: 820 });
    try {
      await page.goto(`${rig.url}#/parked?group=wide`);
      await page.waitForSelector(`#parked-table tr[data-message="${id}"]`);
      const layout = await page.$eval(`#parked-table tr[data-message="${id}"]`, (row) => {
        const cells = [...row.querySelectorAll("td")];
        return {
          viewport: document.documentElement.clientWidth,
          scrollWidth: document.documentElement.scrollWidth,
          errorRight: cells[6].getBoundingClientRect().right,
          texts: cells.map((cell) => cell.textContent ?? ""),
        };
      });
      assert.ok(
        layout.errorRight <= layout.viewport,
        `the error column ends at ${layout.errorRight}px, past ${layout.viewport}px`,
      );
      assert.ok(layout.scrollWidth <= layout.viewport, "no sideways scrolling");
      assert.equal(layout.texts[3], type, "the type is shown whole");
      assert.equal(layout.texts[5], "2026-12-07 12:42:01 UTC");
      await page.screenshot({ path: screenshotPath("parked-wide") });
    } finally {
      await rig.storage.parked.remove("wide", id);
      await page.setViewport({ width: 1200, height: 820 });
    }
  });

  // A trial found a very long stream name squeezing the cells beside it until
  // their short words broke mid-word: the name breaks anywhere, they do not.
  test("a long stream name breaks anywhere; the short cells beside it keep their words whole", async () => {
    const name = "invoice-" + "0b9c1d2e3f404a5b8c6d7e8f90a1b2c3".repeat(6);
    await rig.store.append(name, [{ type: "InvoiceDrafted", data: {} }]);
    const [message] = await rig.store.readStream(name);
    await rig.storage.parked.park({
      group: "invoicing",
      partition: 0,
      message,
      error: { name: "Error", message: "the printer is out of paper" },
      attempts: 2,
      parkedAt: "2026-12-07T12:42:01.000Z",
    });
    const pages = [
      ["#/streams?category=invoice", `#streams-table tr[data-stream="${name}"]`, 0, 4],
      ["#/parked?group=invoicing", `#parked-table tr[data-message="${message.id}"]`, 2, 5],
    ] as const;
    try {
      for (const width of [1280, 1024]) {
        await page.setViewport({ width, height: 820 });
        for (const [hash, row, nameColumn, timeColumn] of pages) {
          await page.goto(`${rig.url}${hash}`);
          await page.waitForSelector(row);
          const layout = await page.$eval(
            row,
            (tr, column, timeColumn) => {
              const cells = [...tr.querySelectorAll("td")];
              // No helper function: the page gets it as text, without the names tsx adds.
              const range = document.createRange();
              // A word in one piece has one box, a word broken over lines one per line. A
              // break after a dash (an id's) is no break within a word.
              const broken: string[] = [];
              cells.forEach((cell, i) => {
                if (i === column) return;
                const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
                  for (const word of (node.textContent ?? "").matchAll(/[^\s-]*-|[^\s-]+/g)) {
                    range.setStart(node, word.index!);
                    range.setEnd(node, word.index! + word[0].length);
                    if (range.getClientRects().length > 1) broken.push(`column ${i}: ${word[0]}`);
                  }
                }
              });
              range.selectNodeContents(cells[timeColumn]);
              const timeLines = range.getClientRects().length;
              range.selectNodeContents(cells[column]);
              return {
                broken,
                timeLines,
                nameText: cells[column].textContent ?? "",
                nameLines: range.getClientRects().length,
                viewport: document.documentElement.clientWidth,
                scrollWidth: document.documentElement.scrollWidth,
              };
            },
            nameColumn,
            timeColumn,
          );
          const at = `${hash} at ${width} px`;
          await page.screenshot({ path: screenshotPath(`long-stream-${nameColumn}-${width}`) });
          assert.deepEqual(layout.broken, [], `${at}: short words broken mid-word`);
          assert.equal(layout.timeLines, 1, `${at}: the time on one line`);
          assert.ok(layout.nameText.startsWith(name), `${at}: the name is shown whole`);
          assert.ok(layout.nameLines > 1, `${at}: the name wraps (${layout.nameLines} line)`);
          assert.ok(layout.scrollWidth <= layout.viewport, `${at}: no sideways scrolling`);
        }
      }
    } finally {
      await rig.storage.parked.remove("invoicing", message.id);
      await page.setViewport({ width: 1200, height: 820 });
    }
  });
});
