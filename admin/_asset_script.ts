/**
 * The console's script, as served at `assets/console.js`: its parts in one
 * function scope, started once the page has loaded (the tag is `defer`).
 *
 * @module
 */

import { SCRIPT_BROWSE } from "./_script_browse.ts";
import { SCRIPT_CORE } from "./_script_core.ts";
import { SCRIPT_OPERATE } from "./_script_operate.ts";

/** The whole script. */
export const CONSOLE_SCRIPT = `(function () {
"use strict";
${SCRIPT_CORE}
${SCRIPT_BROWSE}
${SCRIPT_OPERATE}
start();
})();
`;
