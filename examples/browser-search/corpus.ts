/**
 * The demo's corpus, assembled at build (or dev-server) time in Node: the demo's own
 * sentences, then full SST-2 sentences (dev and test splits, then the longer training
 * phrases) read from the shared data folder (MODEL2VEC_SHARED_DIR, default ../shared
 * beside the repository) when it exists. The shared data is never copied into the
 * repository: it only ends up in the build output (examples/browser-search/dist, ignored by git).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_SENTENCES } from "./sentences.js";

/** The corpus served to the page as sentences.json. */
export interface Corpus {
  sentences: string[];
  /** Where the sentences came from, for the page to show. */
  source: string;
}

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** The shared data folder, as test/shared.ts finds it. */
export function sharedDir(): string {
  return resolve(process.env.MODEL2VEC_SHARED_DIR ?? join(repo, "..", "shared"));
}

/** Up to `limit` sentences: the demo's own, then SST-2's when the shared folder has it. */
export function loadCorpus(limit = 5000): Corpus {
  const sentences = [...DEMO_SENTENCES];
  const seen = new Set(sentences.map((s) => s.toLowerCase()));
  const sst2 = join(sharedDir(), "data", "classification", "sst2");
  let added = 0;
  if (existsSync(sst2)) {
    for (const split of ["sentiment-dev", "sentiment-test", "sentiment-train"]) {
      const file = join(sst2, split);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (sentences.length >= limit) break;
        const text = line.split("\t")[0]!.trim();
        // Training lines include short phrases; keep sentences.
        if (split === "sentiment-train" && text.split(" ").length < 10) continue;
        if (text.length === 0 || seen.has(text.toLowerCase())) continue;
        seen.add(text.toLowerCase());
        sentences.push(text);
        added++;
      }
    }
  }
  const source =
    added > 0
      ? `${DEMO_SENTENCES.length} demo sentences + ${added.toLocaleString("en")} SST-2 movie-review sentences (from ${sst2})`
      : `${DEMO_SENTENCES.length} demo sentences (the SST-2 data in ${sst2} is absent)`;
  return { sentences, source };
}
