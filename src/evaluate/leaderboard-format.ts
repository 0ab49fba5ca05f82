/**
 * A leaderboard as text. The wide forms give one row per model and a column per
 * type and task (aligned text, Markdown, CSV, JSON); "table" turns it around, a row
 * per type and task and a column per model, in blocks of models, to fit a terminal.
 */
import type { Leaderboard } from "./leaderboard.js";

/** How {@link formatLeaderboard} lays a leaderboard out. */
export type LeaderboardFormat = "wide" | "table" | "markdown" | "csv" | "json";

/** The values of {@link LeaderboardFormat}. */
export const LEADERBOARD_FORMATS: readonly LeaderboardFormat[] = ["table", "wide", "markdown", "csv", "json"];

/** Options of {@link formatLeaderboard}. */
export interface FormatLeaderboardOptions {
  /**
   * - `"wide"` (default): one aligned row per model, as wide as its tasks make it;
   * - `"table"`: a row per type and task, a column per model (numbered, with a legend),
   *   no line longer than `width`;
   * - `"markdown"`, `"csv"`, `"json"`: the wide form for documents and programs (CSV and
   *   JSON keep full precision, a missing score is empty or null).
   */
  format?: LeaderboardFormat | undefined;
  /** The line length `"table"` fits. Default 80. */
  width?: number | undefined;
}

/** The leaderboard as text, scores with 2 decimals (full precision in CSV and JSON). */
export function formatLeaderboard(board: Leaderboard, options: FormatLeaderboardOptions = {}): string {
  switch (options.format ?? "wide") {
    case "wide":
      return alignedRows(wideRows(board, score, (seconds) => seconds.toFixed(1)));
    case "table":
      return narrowTable(board, options.width ?? 80);
    case "markdown":
      return markdown(wideRows(board, score, (seconds) => seconds.toFixed(1)));
    case "csv":
      return wideRows(board, (value) => (value === undefined || Number.isNaN(value) ? "" : String(value)), String)
        .map((row) => row.map(csvField).join(","))
        .join("\n");
    case "json":
      return JSON.stringify(board, null, 2);
  }
}

const GAP = "  ";

/** A score as shown: 2 decimals, or "-" when the model has none. */
function score(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "-" : value.toFixed(2);
}

/** The header and one row per model: model, average, types, tasks, time. */
function wideRows(board: Leaderboard, cell: (value: number | undefined) => string, time: (seconds: number) => string): string[][] {
  return [
    ["Model", "Average", ...board.types, ...board.tasks, "Time (s)"],
    ...board.rows.map((row) => [row.model, cell(row.average), ...board.types.map((t) => cell(row.byType[t])), ...board.tasks.map((t) => cell(row.tasks[t])), time(row.seconds)]),
  ];
}

/** Rows as columns: the first left-aligned, the others right-aligned. */
function alignedRows(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((text, c) => (c === 0 ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join(GAP)).join("\n");
}

function markdown([header, ...rows]: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((text) => text.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header!), `|---|${header!.slice(1).map(() => "---:").join("|")}|`, ...rows.map(line)].join("\n");
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The narrow form: a legend numbering the models (best average first, long names
 * wrapped), then the scores with one column per model, in as many blocks of models
 * as `width` needs. Labels too long for the line are cut with "…".
 */
function narrowTable(board: Leaderboard, width: number): string {
  const keys = board.rows.map((_, i) => `#${i + 1}`);
  const keyWidth = Math.max(0, ...keys.map((key) => key.length));
  const legend = board.rows.flatMap((row, i) => wrap(`${GAP}${keys[i]!.padStart(keyWidth)}${GAP}`, row.model, width));
  const body: [label: string, cells: string[]][] = [
    ["Average", board.rows.map((row) => score(row.average))],
    ["By type", []],
    ...board.types.map((type): [string, string[]] => [`${GAP}${type}`, board.rows.map((row) => score(row.byType[type]))]),
    ["By task", []],
    ...board.tasks.map((task): [string, string[]] => [`${GAP}${task}`, board.rows.map((row) => score(row.tasks[task]))]),
    ["Time (s)", board.rows.map((row) => row.seconds.toFixed(1))],
  ];
  const column = Math.max(keyWidth, ...body.flatMap(([, cells]) => cells.map((cell) => cell.length)));
  const perModel = GAP.length + column;
  const longest = Math.max(...body.map(([label]) => label.length));
  // Labels are cut only where they would leave less than a third of the line (and less than
  // all models need), or no room for one model.
  const labelLimit = Math.min(Math.max(Math.floor((2 * width) / 3), width - keys.length * perModel), width - perModel);
  const labelWidth = Math.max(1, Math.min(longest, labelLimit));
  const perBlock = Math.max(1, Math.floor((width - labelWidth) / perModel));
  const blocks: string[] = [];
  for (let first = 0; first < keys.length; first += perBlock) {
    const line = (label: string, cells: string[]) =>
      `${fit(label, labelWidth).padEnd(labelWidth)}${cells.slice(first, first + perBlock).map((cell) => `${GAP}${cell.padStart(column)}`).join("")}`.trimEnd();
    blocks.push([line("", keys), ...body.map(([label, cells]) => line(label, cells))].join("\n"));
  }
  return [["Models, best average first:", ...legend].join("\n"), ...blocks].join("\n\n");
}

/** `prefix` + `text`, broken into lines of at most `width`, continued under the text's start. */
function wrap(prefix: string, text: string, width: number): string[] {
  const room = Math.max(1, width - prefix.length);
  const lines: string[] = [];
  for (let start = 0; start < text.length || start === 0; start += room) {
    lines.push(`${start === 0 ? prefix : " ".repeat(prefix.length)}${text.slice(start, start + room)}`);
  }
  return lines;
}

/** `text` cut to `width` characters, the last one an ellipsis when cut. */
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
