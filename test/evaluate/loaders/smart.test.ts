import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/errors.js";
import { loadSmart, parseSmart } from "../../../src/evaluate/loaders/smart.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "model2vec-smart-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

// Cranfield-style: .T .A .B .W documents, a stray repeated marker inside an abstract (as in
// cran.all.1400 document 240), queries numbered 001, 002, 004 (not 1..3), and qrels that use
// the queries' positions with Cleverdon codes (1 = most relevant, −1 = none).
const cranDocs = `.I 1
.T
wing in a
slipstream .
.A
brenckman,m.
.B
j. ae. scs. 25, 1958, 324.
.W
wing in a slipstream .
  an experimental   study of a wing .
.I 2
.T
shear flow .
.A
ting-yili
.B
dept. aero. eng.
.W
shear flow .
the study of
.A
flat plates
.B
continues here .
.I 3
.T
heat transfer .
.A
.B
.W
heat transfer in slabs .
`;
const cranQueries = `
.I 001
.W
what similarity laws must be obeyed .
.I 002
.W
what are the structural
problems of shear flow .
.I 004
.W
what problems of heat conduction in slabs .
`;
const cranQrels = "1 1 2 \n1 2 4 \n1 3 -1 \n\n2 2 1\n3 3 3\n3 1 -1\n";

describe("SMART (Cranfield style)", () => {
  it("parses fields, treating a repeated marker as text of the field in progress", () => {
    const records = parseSmart(cranDocs, "cran");
    expect(records.map((r) => r.id)).toEqual(["1", "2", "3"]);
    expect([...records[1]!.fields.keys()]).toEqual(["T", "A", "B", "W"]);
    expect(records[1]!.fields.get("W")).toBe("shear flow .\nthe study of\nflat plates\ncontinues here .");
    expect(records[1]!.fields.get("A")).toBe("ting-yili");
    expect(records[2]!.fields.get("A")).toBe("");
    expect(records[2]!.line).toBe(26);
  });

  it("loads with sequential query ids and graded Cranfield gains (5 − code, −1 dropped)", async () => {
    const data = await loadSmart({
      documents: await write("cran.all", cranDocs),
      queries: await write("cran.qry", cranQueries),
      qrels: await write("cranqrel", cranQrels),
      queryIds: "sequential",
      relevance: "cranfield",
    });
    expect(data.corpus.get("1")).toBe("wing in a slipstream . wing in a slipstream . an experimental study of a wing .");
    expect(data.corpus.get("2")).toBe("shear flow . shear flow . the study of flat plates continues here .");
    expect([...data.queries]).toEqual([
      ["1", "what similarity laws must be obeyed ."],
      ["2", "what are the structural problems of shear flow ."],
      ["3", "what problems of heat conduction in slabs ."],
    ]);
    expect(data.qrels.get("1")).toEqual(
      new Map([
        ["1", 3],
        ["2", 1],
      ]),
    );
    expect(data.qrels.get("2")).toEqual(new Map([["2", 4]]));
    expect(data.qrels.get("3")).toEqual(new Map([["3", 2]]));
  });

  it("with field ids the gotcha shows: query 3 of cranqrel does not exist, and the error says so", async () => {
    const options = {
      documents: await write("cran2.all", cranDocs),
      queries: await write("cran2.qry", cranQueries),
      qrels: await write("cran2rel", cranQrels),
      relevance: "cranfield" as const,
    };
    const error = await loadSmart({ ...options, queryIds: "field" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(`${options.qrels}:6: query "3" is not in`);
    expect((error as Error).message).toContain("queryIds");
  });

  it("rejects unknown Cranfield codes and text before the first record, naming the line", async () => {
    const docs = await write("c3.all", cranDocs);
    const queries = await write("c3.qry", cranQueries);
    await expect(
      loadSmart({ documents: docs, queries, qrels: await write("c3rel", "1 1 2\n2 2 7\n"), queryIds: "sequential", relevance: "cranfield" }),
    ).rejects.toThrow("c3rel:2: Cranfield relevance code 7");
    expect(() => parseSmart("stray\n.I 1\n.W\nx\n", "s")).toThrow("s:1: text before the first");
    expect(() => parseSmart(".I 1\nno marker\n", "s")).toThrow("s:2: text in record");
  });
});

// CISI-style: documents with .T .A .W .X (cross-references), queries numbered by .I and
// referenced by those numbers, CISI.REL lines "q d 0 0.000000" meaning relevant.
const cisiDocs = `.I 1
.T
18 Editions of the Dewey Decimal Classifications
.A
Comaromi, J.P.
.W
   The present study is a history of the DEWEY Decimal
Classification.
.X
1	5	1
92	1	1
.I 2
.T
Use Made of Technical Libraries
.A
Slater, M.
.W
This report is an analysis of 6300 acts of use.
.X
2	5	2
`;
const cisiQueries = `.I 1
.W
What problems and concerns are there in making up descriptive titles?
.I 2
.T
Chemistry libraries
.A
Someone, A.
.W
How are technical libraries used?
.B
Some bibliography
.I 3
.W
Nobody judged this one.
`;
const cisiRel = "     1     1 0 0.000000\n     2     2 0 0.000000\n     2     1 0 0.000000\n";

describe("SMART (CISI style)", () => {
  it("loads with .I query ids and binary relevance, joining .T and .W", async () => {
    const data = await loadSmart({
      documents: await write("CISI.ALL", cisiDocs),
      queries: await write("CISI.QRY", cisiQueries),
      qrels: await write("CISI.REL", cisiRel),
    });
    expect(data.corpus.get("1")).toBe("18 Editions of the Dewey Decimal Classifications The present study is a history of the DEWEY Decimal Classification.");
    expect(data.corpus.get("2")).toBe("Use Made of Technical Libraries This report is an analysis of 6300 acts of use.");
    expect([...data.queries]).toEqual([
      ["1", "What problems and concerns are there in making up descriptive titles?"],
      ["2", "Chemistry libraries How are technical libraries used?"],
    ]);
    expect(data.qrels.get("2")).toEqual(
      new Map([
        ["2", 1],
        ["1", 1],
      ]),
    );
    expect(data.qrels.has("3")).toBe(false);
  });

  it("accepts a custom relevance function", async () => {
    const data = await loadSmart({
      documents: await write("c.all", cisiDocs),
      queries: await write("c.qry", cisiQueries),
      qrels: await write("c.rel", "1 1 3\n2 2 0\n"),
      relevance: (code) => code ?? 0,
      documentFields: ["W"],
    });
    expect(data.corpus.get("2")).toBe("This report is an analysis of 6300 acts of use.");
    expect([...data.qrels]).toEqual([["1", new Map([["1", 3]])]]);
  });
});
