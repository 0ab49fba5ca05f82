/** The messages between the page (main.ts) and the worker that owns the model (worker.ts). */

/** Page → worker. */
export type Request =
  | { type: "init"; modelUrl: string; sentencesUrl: string; cache: boolean }
  | { type: "search"; id: number; query: string; k: number }
  | { type: "encode"; id: number; texts: string[] };

/** One search hit. */
export interface Hit {
  index: number;
  score: number;
  text: string;
}

/** Worker → page. */
export type Reply =
  | { type: "progress"; stage: "download" | "embed"; done: number; total: number }
  | { type: "ready"; count: number; dim: number; source: string; loadMs: number; embedMs: number }
  | { type: "results"; id: number; query: string; hits: Hit[]; encodeMs: number; searchMs: number }
  | { type: "encoded"; id: number; rows: number; dim: number; data: Float32Array }
  | { type: "error"; id?: number; message: string };
