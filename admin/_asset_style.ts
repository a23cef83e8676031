/**
 * The console's style sheet (plain CSS, shipped as it is served).
 *
 * @module
 */

/** The style sheet, served at `assets/console.css`. */
export const CONSOLE_STYLE = `
:root { --fg: #1d2330; --muted: #6b7385; --line: #dfe3ea; --bg: #f6f7f9; --card: #fff;
  --accent: #2457c5; --bad: #b42318; --good: #137333; --warn: #b06000;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
/* The header wraps on a narrow screen (a phone at 390 px) rather than push who is logged in off it. */
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1.2rem; background: #141a26; color: #fff; }
header a { color: #cfd6e4; text-decoration: none; }
header a.active, header a:hover { color: #fff; }
.brand { font-weight: 700; font-size: 1.1rem; color: #fff !important; letter-spacing: .04em; }
nav { display: flex; flex-wrap: wrap; gap: .3rem 1rem; flex: 1 1 auto; }
#who { color: #cfd6e4; font-size: .9rem; white-space: nowrap; }
#logout { white-space: nowrap; }
/* Says when an answer is late or a refresh failed; placed as main's content is. */
#connection { width: calc(100% - 2.4rem); max-width: calc(1200px - 2.4rem); margin: 1rem auto 0; }
main { padding: 1.2rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .6rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .8rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
.card .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; }
.card .value { font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; }
/* A table wider than the screen scrolls in its box; the page does not. */
.table-box { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: .45rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: #4a5265; }
/* Cells keep their words whole (an id may break after its dashes). A value that can be long without a
   space (.long: a stream name, a message type, a group, an error) breaks anywhere rather than pushing
   the last columns off-screen, and so takes the squeeze a very long one makes; its floor keeps a
   short one (PaymentRecorded) whole beside it, and gives way on narrower screens. */
td.long { overflow-wrap: anywhere; min-width: min(12em, 14vw); }
/* On a phone a table scrolls sideways in its box: a long cell keeps a floor that holds a word
   (PaymentRecorded) rather than shrink to a few letters a line. */
@media (max-width: 700px) { td.long { min-width: 10em; } }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
/* A number or a time reads as one piece: "2026-12-07" would otherwise break after a dash. */
td.num, td.time { white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.state-running { color: var(--good); font-weight: 600; }
.state-stopped { color: var(--muted); }
.error-text { color: var(--bad); }
.notice { padding: .6rem .8rem; border-radius: 6px; margin: .8rem 0; background: #eef3ff; border: 1px solid #c9d7fb; }
.notice.bad { background: #fdecea; border-color: #f5c2bc; color: var(--bad); }
.notice.good { background: #e8f5ec; border-color: #b9e0c3; color: var(--good); }
form.filters { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
label { display: flex; flex-direction: column; gap: .2rem; font-size: .8rem; color: var(--muted); }
input, select { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
button { font: inherit; padding: .35rem .8rem; border: 1px solid #b9c1d0; border-radius: 6px; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
button:disabled { opacity: .5; cursor: default; }
pre { background: #0f1420; color: #e3e8f2; padding: .8rem; border-radius: 6px; overflow: auto; font-size: .85rem; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.login { max-width: 420px; margin: 3rem auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1.2rem 1.4rem; }
.login form { display: flex; flex-direction: column; gap: .8rem; }
.pager { display: flex; gap: .6rem; margin-top: .8rem; align-items: center; }
svg.spark { width: 160px; height: 28px; vertical-align: middle; }
svg polyline { vector-effect: non-scaling-stroke; }
svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
svg.chart { width: 100%; height: 80px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
svg.chart polyline { fill: none; stroke: var(--accent); stroke-width: 2; }
.dialog { position: fixed; inset: 0; background: rgba(10, 14, 22, .45); display: flex; align-items: center; justify-content: center; }
.dialog[hidden] { display: none; }
.dialog-box { background: #fff; border-radius: 10px; padding: 1.2rem 1.4rem; max-width: 460px; box-shadow: 0 10px 40px rgba(0,0,0,.25); }
.dialog-buttons { display: flex; justify-content: flex-end; gap: .6rem; margin-top: 1rem; }
/* A parked message's stack: under its entry, at the table box's left edge whatever its scroll, no wider than the screen, wrapped. */
button.show-stack { display: block; margin-top: .3rem; font-size: .8rem; padding: .1rem .5rem; color: var(--fg); }
tr.stack-row td { background: #fbfbfc; }
pre.stack { position: sticky; left: .7rem; margin: 0; max-width: min(100%, calc(100vw - 4.2rem)); white-space: pre-wrap; overflow-wrap: anywhere; }
.behind { font-size: .8rem; }
/* Wide enough for a message id (36 characters), never wider than the screen. */
#find-message { width: 30em; max-width: calc(100vw - 9rem); }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
`;
