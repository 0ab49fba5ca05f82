import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/errors.js";
import { parseDelimited, parseJsonLines, parseTable, readTable } from "../../../src/evaluate/loaders/delimited.js";
import { decodeText, positionAt, readText, splitLines } from "../../../src/evaluate/loaders/text.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "model2vec-delimited-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Expects `promise` to reject with an InvalidInputError whose message contains every part. */
async function rejectsWith(promise: Promise<unknown>, ...parts: string[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  for (const part of parts) expect((error as Error).message).toContain(part);
}

function throwsWith(f: () => unknown, ...parts: string[]): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidInputError);
  for (const part of parts) expect((error as Error).message).toContain(part);
}

describe("parseDelimited (RFC 4180)", () => {
  it("handles quotes, escaped quotes, embedded delimiters and line breaks, CRLF and a BOM", () => {
    const text = '\ufefftext,label\r\n"Hello, world",a\r\n"She said ""hi""",b\r\n"two\r\nlines\nhere",c\r\nplain,d\r\n';
    const rows = parseDelimited(text);
    expect(rows.map((r) => r.fields)).toEqual([
      ["text", "label"],
      ["Hello, world", "a"],
      ['She said "hi"', "b"],
      ["two\r\nlines\nhere", "c"],
      ["plain", "d"],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 7]);
  });

  it("keeps empty fields, a last line without a newline, and skips blank lines unless asked", () => {
    expect(parseDelimited("a,,c\n\n,\n\"\"\nx").map((r) => r.fields)).toEqual([["a", "", "c"], ["", ""], [""], ["x"]]);
    expect(parseDelimited("a\n\nb", { skipEmptyLines: false }).map((r) => r.fields)).toEqual([["a"], [""], ["b"]]);
    expect(parseDelimited("a\rb\r\nc").map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it("reads quotes literally when quoting is off (TSV)", () => {
    const rows = parseDelimited('x\tHe said "yes.\tok\n"open\tquote\n', { delimiter: "\t", quoting: false });
    expect(rows.map((r) => r.fields)).toEqual([
      ["x", 'He said "yes.', "ok"],
      ['"open', "quote"],
    ]);
  });

  it("names the file, line and column of a never-closed quote or stray text after a quote", () => {
    throwsWith(() => parseDelimited('a,b\nc,"never\nclosed', { source: "f.csv" }), "f.csv:2:3", "never closed");
    throwsWith(() => parseDelimited('a,b\n"x"y,z', { source: "g.csv" }), "g.csv:2:4", "after a closing quote");
    throwsWith(() => parseDelimited("a", { delimiter: "ab" }), "delimiter");
  });
});

describe("parseJsonLines", () => {
  it("skips blank lines and names a malformed line", () => {
    expect(parseJsonLines('{"a":1}\n\n[2]\r\n')).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: [2], line: 3 },
    ]);
    throwsWith(() => parseJsonLines('{"a":1}\n{"a":\n', "x.jsonl"), "x.jsonl:2", "not valid JSON");
  });
});

describe("readTable", () => {
  it("maps CSV columns by header name, with quotes, line breaks and a BOM", async () => {
    const path = await write("t.csv", '\ufefftext,category\r\n"Hi, there",greet\r\n"line one\r\nline two",multi\r\nsimple,x\r\n');
    const rows = await readTable(path, { format: "csv", columns: { text: "text", label: "category" } });
    expect([...rows]).toEqual([
      { text: "Hi, there", label: "greet" },
      { text: "line one\r\nline two", label: "multi" },
      { text: "simple", label: "x" },
    ]);
    expect(rows.lines).toEqual([2, 3, 5]);
  });

  it("maps TSV columns by index without quoting and ignores extra trailing columns", async () => {
    const path = await write(
      "t.tsv",
      [
        'main-news\theadlines\t2016\t0001\t4.0\tHe said "no\tShe said no\tsource A\tsource B',
        'main-captions\tMSRvid\t2012test\t0002\t1.5\tA "cat"\tA dog',
        "",
      ].join("\n"),
    );
    const rows = await readTable(path, { format: "tsv", header: false, columns: { score: 4, a: 5, b: 6 } });
    expect([...rows]).toEqual([
      { score: "4.0", a: 'He said "no', b: "She said no" },
      { score: "1.5", a: 'A "cat"', b: "A dog" },
    ]);
  });

  it("names the file and line of a record missing a column, and the header of an unknown column", async () => {
    const path = await write("short.tsv", "a\tb\tc\nd\te\n");
    await rejectsWith(readTable(path, { format: "tsv", header: false, columns: { x: 2 } }), `${path}:2`, 'column "x" (index 2)');
    await rejectsWith(readTable(path, { format: "tsv", columns: { x: "nope" } }), `${path}:1`, 'no column named "nope"', '"a", "b", "c"');
    await rejectsWith(readTable(path, { format: "tsv", header: false, columns: { x: "a" } }), "no header");
  });

  it("joins records broken by unquoted line breaks when asked (Banking77 train.csv)", async () => {
    const path = await write("broken.csv", "text,category\r\nfine,a\r\n\r\nbroken text\r\n\r\n\r\n,b\r\ntwo\r\nline text,c\r\nlast,d\r\n");
    await rejectsWith(readTable(path, { format: "csv", columns: { text: "text", label: "category" } }), `${path}:4`, "1 field");
    const rows = await readTable(path, { format: "csv", joinShortRecords: true, columns: { text: "text", label: "category" } });
    expect([...rows]).toEqual([
      { text: "fine", label: "a" },
      { text: "broken text\n", label: "b" },
      { text: "two\nline text", label: "c" },
      { text: "last", label: "d" },
    ]);
    expect(rows.lines).toEqual([2, 4, 8, 10]);
    const dangling = await write("dangling.csv", "text,category\nok,a\ncut off\n");
    await rejectsWith(readTable(dangling, { format: "csv", joinShortRecords: true, columns: { text: "text" } }), `${dangling}:3`, "end of the file");
  });

  it("maps JSONL keys, dotted paths and array indices, and names a malformed line", async () => {
    const path = await write(
      "t.jsonl",
      '{"text":"a","label":0,"meta":{"source":"x","tags":["t1"]},"a.b":"literal"}\n\n{"text":"b","label":5,"meta":{"source":"y","tags":["t2"]},"a.b":null}\n',
    );
    const rows = await readTable(path, {
      format: "jsonl",
      columns: { text: "text", label: "label", source: "meta.source", tag: "meta.tags.0", literal: "a.b" },
    });
    expect([...rows]).toEqual([
      { text: "a", label: 0, source: "x", tag: "t1", literal: "literal" },
      { text: "b", label: 5, source: "y", tag: "t2", literal: null },
    ]);
    expect(rows.lines).toEqual([1, 3]);
    const arrays = parseTable('["q", 1]\n["r", 2]\n', "arr.jsonl", { format: "jsonl", columns: { text: 0, n: 1 } });
    expect([...arrays]).toEqual([
      { text: "q", n: 1 },
      { text: "r", n: 2 },
    ]);

    const bad = await write("bad.jsonl", '{"text":"a","label":0}\n{"text":"b","label":1}\n{"text": "c", label: 2}\n');
    await rejectsWith(readTable(bad, { format: "jsonl", columns: { text: "text" } }), `${bad}:3`, "not valid JSON");
    const missing = await write("missing.jsonl", '{"text":"a"}\n{"txt":"b"}\n');
    await rejectsWith(readTable(missing, { format: "jsonl", columns: { text: "text" } }), `${missing}:2`, 'no key "text"');
    const nested = await write("nested.jsonl", '{"text":{"a":1}}\n');
    await rejectsWith(readTable(nested, { format: "jsonl", columns: { text: "text" } }), `${nested}:1`, "an object");
  });

  it("names a missing file", async () => {
    await rejectsWith(readTable(join(dir, "absent.csv"), { format: "csv", columns: { a: 0 } }), join(dir, "absent.csv"), "cannot read");
  });
});

describe("text decoding", () => {
  it("rejects invalid UTF-8 naming the line and column, and falls back to Latin-1 in auto mode", async () => {
    const bytes = Uint8Array.from([...Buffer.from("ok\nsister"), 0xf0, ...Buffer.from("city ?\n")]);
    const path = await write("latin1.txt", bytes);
    await rejectsWith(readText(path), `${path}:2:7`, "not valid UTF-8");
    expect(await readText(path, "auto")).toBe("ok\nsister\u00f0city ?\n");
    expect(await readText(path, "latin1")).toBe("ok\nsister\u00f0city ?\n");
    // Valid UTF-8 stays UTF-8 in auto mode, BOM dropped.
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0xc3, 0xa9]), "auto", "x")).toBe("é");
  });

  it("positions and lines", () => {
    expect(positionAt("ab\r\ncd\ne", 7)).toEqual({ line: 3, column: 1 });
    expect(positionAt("ab\r\ncd", 5)).toEqual({ line: 2, column: 2 });
    expect(splitLines("a\r\nb\n\nc\n")).toEqual(["a", "b", "", "c"]);
  });
});
