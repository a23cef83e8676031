// What trials of the console in Chromium found, held: with the store stopped
// the overview went on showing its last figures as if live, and pages opened
// then showed a heading and nothing; an answer that came late replaced the
// page navigated to since, and while one was awaited the last page's content
// stayed under the new page's tab; a credential refused mid-session logged the user
// out without a word; at 390 px the page scrolled sideways and the header
// hid who was logged in; a lag of 0 throughout was drawn along the top of its
// chart; at 1280 px a type as usual as PaymentRecorded broke before its "d". Skipped without chromium, as the other browser tests are.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { createConsumer, type EventStore, silentLogger, StoreUnavailableError } from "../../mod.ts";
import { until } from "../_until.ts";
import {
  type ConsoleRig,
  findChromium,
  Gate,
  screenshotPath,
  startConsole,
  textOn,
} from "./_console_fixture.ts";

const chromium = findChromium();
if (chromium === undefined) {
  console.log("console browser trials skipped: chromium is not installed (or set CHROMIUM_PATH)");
}
const test = chromium === undefined ? it.skip : it;

/** How the store the console reads behaves now. */
const trouble = { down: false, slowReads: 0 };

/** The store as the console sees it: failing while `down`, `readPage` late by `slowReads` ms. */
function troubled(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (trouble.down) {
          throw new StoreUnavailableError(String(property), "connect ECONNREFUSED 127.0.0.1:5432");
        }
        if (property === "readPage" && trouble.slowReads > 0) {
          await new Promise((resolve) => setTimeout(resolve, trouble.slowReads));
        }
        return await value.apply(target, args);
      };
    },
  });
}

describe("the console in Chromium, as trials found it", () => {
  let rig: ConsoleRig;
  let browser: Browser;
  let page: Page;

  const textOf = (selector: string, check: (text: string) => boolean, what: string) =>
    textOn(page, selector, check, what);
  const hidden = async (selector: string) =>
    await page.$eval(selector, (node) => (node as HTMLElement).hidden);
  const logIn = async (token: string) => {
    await page.goto(rig.url);
    await page.waitForSelector("#login-secret");
    await page.type("#login-secret", token);
    await page.click("#login-submit");
    await page.waitForSelector("#logout:not([hidden])");
  };

  before(async () => {
    if (chromium === undefined) return;
    // Past the 4.5 s a late answer takes here, on a loaded machine too.
    rig = await startConsole({ wrap: troubled, requestTimeout: 10_000 });
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 820 });
    await logIn("operator-token-7f3a9c");
  });

  after(async () => {
    trouble.down = false;
    trouble.slowReads = 0;
    await browser?.close();
    await rig?.close();
  });

  test("says when the store cannot be read and since when the figures are, and clears once it can", async () => {
    await page.goto(`${rig.url}#/overview`);
    await textOf("#head", (t) => /^\d+$/.test(t), "the overview");
    assert.equal(await hidden("#connection"), true, "no banner while all is well");
    trouble.down = true;
    try {
      const said = await textOf(
        "#connection",
        (t) => /^The store is not answering \(for \d+ s\)\. Cannot refresh/.test(t),
        "the banner while the store is down",
      );
      assert.match(said, /Store unavailable during \w+: connect ECONNREFUSED/);
      assert.match(
        said,
        /Retrying every 2 s; what is shown was read at \d{4}-\d\d-\d\d [\d:]+ UTC/,
      );
      await page.screenshot({ path: screenshotPath("store-down-overview") });
      // A page opened while it is down says why it is empty.
      await page.goto(`${rig.url}#/consumers`);
      await textOf("#connection", (t) => t.includes("Store unavailable"), "the banner, consumers");
      await page.goto(`${rig.url}#/streams`);
      await textOf("main", (t) => t.includes("Store unavailable"), "the streams page's failure");
      await page.waitForSelector("#try-again");
      trouble.down = false;
      await page.click("#try-again");
      await page.waitForSelector("#streams-table");
      await page.goto(`${rig.url}#/overview`);
      await textOf("#head", (t) => /^\d+$/.test(t), "the overview again");
      assert.equal(await hidden("#connection"), true, "the banner gone once reads work");
    } finally {
      trouble.down = false;
    }
  });

  test("an answer that comes after the user moved on does not replace the page", async () => {
    trouble.slowReads = 1500;
    try {
      await page.goto(`${rig.url}#/message/1`);
      await new Promise((resolve) => setTimeout(resolve, 200)); // asked, not answered
      await page.goto(`${rig.url}#/consumers`);
      await textOf("main h1", (t) => t === "Consumers", "the consumers page");
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(await page.$eval("main h1", (h) => h.textContent), "Consumers");
      assert.equal(await page.$("#message-data"), null, "the late message is not shown");
    } finally {
      trouble.slowReads = 0;
    }
  });

  test("says an answer is late while it waits", async () => {
    trouble.slowReads = 4500;
    try {
      await page.goto(`${rig.url}#/consumers`);
      await page.waitForSelector("#consumers-table");
      await page.goto(`${rig.url}#/message/1`);
      await textOf(
        "#connection",
        (t) => /^Waiting [3-9] s for the console's server to answer/.test(t),
        "the banner while the answer is late",
      );
      // Not the page before: its table would read as this one's.
      await textOf("main", (t) => t === "Loading…", "the page while it waits");
      await page.waitForSelector("#message-data");
      assert.equal(await hidden("#connection"), true, "gone once it answered");
    } finally {
      trouble.slowReads = 0;
    }
  });

  test("a credential refused mid-session (a console restarted with another) says why on the log-in form", async () => {
    await page.goto(`${rig.url}#/consumers`);
    await page.waitForSelector("#consumers-table");
    await page.evaluate(() =>
      sessionStorage.setItem(
        "ordo.console.credential",
        JSON.stringify({ scheme: "bearer", secret: "a-token-from-before-the-restart" }),
      )
    );
    await page.waitForSelector("#login-secret");
    await textOf(
      "#login-error",
      (t) => t.startsWith("Logged out: the server no longer accepts this credential"),
      "the reason",
    );
    await page.type("#login-secret", "operator-token-7f3a9c");
    await page.click("#login-submit");
    await page.waitForSelector("#consumers-table");
  });

  test("a lag of 0 throughout is drawn along the bottom of its chart", async () => {
    await page.goto(`${rig.url}#/consumers`);
    const selector = "#consumers-table tr[data-group=totals] svg.spark polyline";
    await page.waitForSelector(selector);
    await textOf("#consumers-table tr[data-group=totals] .lag", (t) => t === "0", "totals' lag");
    const ys = (await page.$eval(selector, (line) => line.getAttribute("points") ?? ""))
      .split(" ").map((point) => Number(point.split(",")[1]));
    assert.ok(ys.length > 1, "two samples or more");
    assert.ok(ys.every((y) => y === 19), `the line is at the bottom (19): ${ys.join(" ")}`);
  });

  test("at 1280 px a usual message type (PaymentRecorded) is not broken mid-word", async () => {
    const [message] = await rig.store.readStream("user-1");
    const id = crypto.randomUUID();
    await rig.storage.parked.park({
      group: "payments",
      partition: 0,
      message: { ...message, id, type: "PaymentRecorded", streamName: "payment-25" },
      error: { name: "Error", message: "card declined by gateway" },
      attempts: 1,
      parkedAt: "2026-12-07T19:46:07.000Z",
    });
    try {
      await page.goto(`${rig.url}#/parked`);
      const row = `#parked-table tr[data-message="${id}"]`;
      await page.waitForSelector(row);
      const lines = await page.$eval(row, (tr) => {
        const range = document.createRange();
        range.selectNodeContents(tr.querySelectorAll("td")[3]);
        return range.getClientRects().length;
      });
      await page.screenshot({ path: screenshotPath("parked-type-1280") });
      assert.equal(lines, 1, "PaymentRecorded on one line");
    } finally {
      await rig.storage.parked.remove("payments", id);
    }
  });

  // A trial found a group far behind shown as "10000+" with a flat chart at the cap.
  test("a group past the lag's count cap shows how old its oldest unhandled message is, and charts that", async () => {
    const gate = new Gate();
    gate.close();
    const bulk = createConsumer(rig.store, {
      group: "bulk",
      source: { category: "bulk" },
      storage: rig.storage,
      logger: silentLogger,
      controlInterval: 100,
      handler: async () => await gate.pass(),
    });
    try {
      const batch = Array.from({ length: 1000 }, () => ({ type: "Imported", data: {} }));
      for (let i = 0; i < 11; i++) await rig.store.append(`bulk-${i}`, batch);
      await page.goto(`${rig.url}#/consumers`);
      const row = "#consumers-table tr[data-group=bulk]";
      await textOf(`${row} .lag`, (t) => t === "10000+", "the capped count");
      await textOf(`${row} .behind`, (t) => /^oldest from \d+ s ago$/.test(t), "the age");
      await textOf(`${row} td.by-age`, (t) => t === "age of the oldest unhandled", "the chart");
      // The group stays stuck: its oldest message grows older, and the chart climbs.
      await textOf(`${row} .behind`, (t) => /^oldest from [3-9] s ago$/.test(t), "older");
      const ys = async () =>
        (await page.$eval(`${row} svg.spark polyline`, (line) => line.getAttribute("points") ?? ""))
          .split(" ").map((point) => Number(point.split(",")[1]));
      await until(async () => new Set(await ys()).size > 2, "a chart that is not flat");
      const points = await ys();
      assert.ok(points[points.length - 1] < points[0], `climbing: ${points.join(" ")}`);
      await page.screenshot({ path: screenshotPath("consumers-far-behind") });
    } finally {
      gate.open();
      await bulk.stop();
    }
  });

  // A trial found a mistyped stream shown as a stream of "0 messages".
  test("a stream that does not exist says so, and links the nearest names", async () => {
    await page.goto(`${rig.url}#/stream/order-99`);
    await textOf(
      "#no-stream",
      (t) => t.startsWith("Stream order-99 does not exist: no message was ever appended to it."),
      "the notice",
    );
    await textOf("#nearby", (t) => t.startsWith(" Did you mean order-9 or "), "the nearby names");
    assert.equal(await page.$("#stream-messages"), null, "no table of 0 messages");
    await page.click("#nearby a");
    await page.waitForSelector("#stream-messages");
    assert.equal(await page.$eval("main h1", (h) => h.textContent), "Stream order-9");
  });

  // A trial found no way to open a message by its id.
  test("finds a message by id, or by global position, from the streams page", async () => {
    const [shipped] = await rig.store.readStream("order-1", { from: 1 });
    for (const ref of [shipped.id, String(shipped.globalPosition)]) {
      await page.goto(`${rig.url}#/streams`);
      await page.waitForSelector("#find-message");
      await page.type("#find-message", ` ${ref} `);
      await page.keyboard.press("Enter");
      await textOf("#message-id", (t) => t === shipped.id, `the message, by ${ref}`);
    }
    await page.goto(`${rig.url}#/streams`);
    await page.waitForSelector("#find-message");
    const unknown = crypto.randomUUID();
    await page.type("#find-message", unknown);
    await page.keyboard.press("Enter");
    await textOf(
      "main .notice",
      (t) => t === `Cannot find message "${unknown}": no message has this id`,
      "an unknown id",
    );
  });

  // A trial found a parked message's stack only in a hover title: out of reach
  // by keyboard and on a phone.
  test("at 390 px a parked message's stack opens from the keyboard, wrapped to the screen", async () => {
    const [message] = await rig.store.readStream("user-1");
    const id = crypto.randomUUID();
    const stack = "TypeError: cannot read properties of undefined (reading 'total')\n" +
      "    at handleOrderPlacedWithAVeryLongFunctionNameThatWouldOverflow (file:///srv/app/consumers/totals/handlers/order_placed.ts:42:17)\n" +
      "    at async Consumer.deliver (file:///srv/app/node_modules/ordo/core/consumers/deliver.ts:88:5)";
    await rig.storage.parked.park({
      group: "stacks",
      partition: 0,
      message: { ...message, id },
      error: { name: "TypeError", message: "cannot read properties of undefined", stack },
      attempts: 3,
      parkedAt: "2026-12-07T19:46:07.000Z",
    });
    await page.setViewport({ width: 390, height: 844 });
    try {
      await page.goto(`${rig.url}#/parked?group=stacks`);
      const toggle = `#parked-table tr[data-message="${id}"] button.show-stack`;
      await page.waitForSelector(toggle);
      assert.equal(
        await page.$eval("#parked-table pre.stack", (pre) => (pre as HTMLElement).offsetParent),
        null,
        "the stack is not shown at first",
      );
      assert.equal(
        await page.$eval("#parked-table tr.stack-row", (row) => (row as HTMLElement).hidden),
        true,
        "closed at first",
      );
      await page.focus(toggle);
      await page.keyboard.press("Enter");
      await textOf(toggle, (t) => t === "Hide stack", "the button once open");
      const layout = await page.$eval("#parked-table tr.stack-row pre.stack", (pre) => ({
        visible: (pre as HTMLElement).offsetParent !== null,
        text: pre.textContent ?? "",
        rect: pre.getBoundingClientRect().toJSON(),
        scrollWidth: pre.scrollWidth,
        clientWidth: pre.clientWidth,
        viewport: document.documentElement.clientWidth,
        pageWidth: document.documentElement.scrollWidth,
        expanded: document.querySelector(".show-stack")!.getAttribute("aria-expanded"),
      })) as {
        visible: boolean;
        text: string;
        rect: DOMRect;
        scrollWidth: number;
        clientWidth: number;
        viewport: number;
        pageWidth: number;
        expanded: string;
      };
      assert.ok(layout.visible, "the stack is shown");
      assert.equal(layout.text, stack);
      assert.equal(layout.expanded, "true");
      assert.ok(
        layout.rect.left >= 0 && layout.rect.right <= layout.viewport,
        `the stack spans ${layout.rect.left}-${layout.rect.right} px of ${layout.viewport}`,
      );
      assert.ok(layout.scrollWidth <= layout.clientWidth, "wrapped: no scrolling inside it");
      assert.ok(layout.pageWidth <= layout.viewport, "the page does not scroll sideways");
      await page.screenshot({ path: screenshotPath("narrow-parked-stack") });
      await page.keyboard.press("Space");
      await textOf(toggle, (t) => t === "Show stack", "closed again from the keyboard");
    } finally {
      await rig.storage.parked.remove("stacks", id);
      await page.setViewport({ width: 1280, height: 820 });
    }
  });

  test("at 390 px every page fits the screen: no sideways scrolling, who is logged in in the header", async () => {
    await page.setViewport({ width: 390, height: 844 });
    try {
      const pages = ["#/overview", "#/streams", "#/consumers", "#/parked", "#/message/1"];
      for (const hash of [...pages, "#/stream/order-99"]) {
        await page.goto(`${rig.url}${hash}`);
        await page.waitForSelector("main h1");
        await textOf("main", (t) => !t.startsWith("Loading"), `${hash} loaded`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const layout = await page.evaluate(() => ({
          viewport: document.documentElement.clientWidth,
          scrollWidth: document.documentElement.scrollWidth,
          header: document.querySelector("header")!.getBoundingClientRect().toJSON(),
          who: document.getElementById("who")!.getBoundingClientRect().toJSON(),
          logout: document.getElementById("logout")!.getBoundingClientRect().toJSON(),
        })) as {
          viewport: number;
          scrollWidth: number;
          header: DOMRect;
          who: DOMRect;
          logout: DOMRect;
        };
        await page.screenshot({
          path: screenshotPath(`narrow-${hash.slice(2).replaceAll("/", "-")}`),
        });
        const at = `${hash} at 390 px`;
        assert.ok(layout.scrollWidth <= layout.viewport, `${at}: ${layout.scrollWidth} px wide`);
        for (const [name, rect] of [["who", layout.who], ["logout", layout.logout]] as const) {
          assert.ok(
            rect.left >= 0 && rect.right <= layout.viewport && rect.bottom <= layout.header.bottom,
            `${at}: #${name} is outside the header (${JSON.stringify(rect)})`,
          );
        }
      }
    } finally {
      await page.setViewport({ width: 1280, height: 820 });
    }
  });
});
