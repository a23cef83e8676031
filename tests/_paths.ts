// Where things are, for tests that run the project's own binaries and files.
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The npm-installed runtimes, so tests never depend on what is on PATH. */
export const DENO = `${ROOT}node_modules/.bin/deno`;
export const BUN = `${ROOT}node_modules/.bin/bun`;
