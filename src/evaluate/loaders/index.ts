/** Data-set loaders for evaluation: delimited text and JSON Lines, BEIR folders, SMART collections. */
export { parseDelimited, parseJsonLines, parseTable, readTable } from "./delimited.js";
export type {
  CellOf,
  ColumnRef,
  DelimitedRow,
  JsonLine,
  JsonScalar,
  ParseDelimitedOptions,
  ReadTableOptions,
  TableFormat,
  TableRecords,
} from "./delimited.js";
export { loadBeir } from "./beir.js";
export type { BeirOptions } from "./beir.js";
export { loadSmart, normalizeWhitespace, parseSmart } from "./smart.js";
export type { SmartOptions, SmartRecord, SmartRelevance } from "./smart.js";
export { decodeText, positionAt, readBytes, readText, splitLines, stripBom } from "./text.js";
export type { TextEncodingName, TextPosition } from "./text.js";
