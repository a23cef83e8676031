// `npm run bench`: every scenario, printed as a table and as one JSON line.
// Figures are best-of-rounds rates on this machine, each beside its baseline from the same run.
import { report } from "./_measure.ts";
import { benchMemoryStore } from "./memory_store.ts";

report([...await benchMemoryStore()]);
