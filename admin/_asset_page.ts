/**
 * The console's one page: a frame the script fills in (plain HTML, shipped
 * as it is served). Its style and script come from `assets/`, relative to
 * the page, so the console works under any base path.
 *
 * @module
 */

/** The page, as served at the console's root. */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ordo console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/console.css">
<script src="assets/console.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="#/overview">ordo</a>
  <nav id="nav">
    <a href="#/overview" data-nav="overview">Overview</a>
    <a href="#/streams" data-nav="streams">Streams</a>
    <a href="#/consumers" data-nav="consumers">Consumers</a>
    <a href="#/parked" data-nav="parked">Parked</a>
  </nav>
  <span id="who"></span>
  <button id="logout" type="button" hidden>Log out</button>
</header>
<div id="connection" class="notice bad" role="alert" hidden></div>
<main id="main"><p class="muted">Loading…</p></main>
<div id="dialog" class="dialog" hidden>
  <div class="dialog-box" role="dialog" aria-modal="true" aria-labelledby="dialog-text">
    <p id="dialog-text"></p>
    <div class="dialog-buttons">
      <button id="dialog-cancel" type="button">Cancel</button>
      <button id="dialog-confirm" type="button" class="danger">Replay</button>
    </div>
  </div>
</div>
<noscript>The console needs JavaScript.</noscript>
</body>
</html>
`;
