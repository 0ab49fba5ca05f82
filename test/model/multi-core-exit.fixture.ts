// Run by multi-core-encode.test.ts in a child process: encodes on worker threads and
// never closes the model. The process must still exit as soon as its work is done.
import { loadGenerated } from "../fixtures/index.js";
import { differentialCorpus } from "../tokenizer/differential-corpus.js";

const { model } = loadGenerated({ dim: 32 });
const rows = model.encode(differentialCorpus(6_000, 7), { threads: 2 });
console.log(`encoded ${rows.rows} rows on ${rows.data.buffer instanceof SharedArrayBuffer ? "shared" : "private"} memory`);
