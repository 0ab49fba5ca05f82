/**
 * The README and docs/*.md stay true to the repository: every relative link reaches a
 * file (and heading) that exists, every source path they name exists, every docs page
 * is linked from the README, and the architecture page maps every folder of src/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { codeBlocks, headingAnchors, proseLines, relativeLinks, sectionLines, slug } from "./fixtures/markdown.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** README.md and every Markdown file of docs/, relative to `base`. */
function documentationFiles(base: string): string[] {
  const docs = join(base, "docs");
  const pages = existsSync(docs) ? readdirSync(docs).filter((name) => name.endsWith(".md")).map((name) => join("docs", name)) : [];
  return ["README.md", ...pages.sort()];
}

/**
 * The relative links of `files` (paths under `base`) that do not resolve, as
 * "file:line: target (what is missing)". A link to a folder needs the folder; an
 * anchor needs a heading of that anchor in the Markdown file it points to.
 */
function brokenLinks(base: string, files: readonly string[]): string[] {
  const broken: string[] = [];
  for (const file of files) {
    const source = join(base, file);
    for (const { target, line } of relativeLinks(readFileSync(source, "utf8"))) {
      const [path, anchor] = target.split("#", 2) as [string, string | undefined];
      const destination = path === "" ? source : resolve(dirname(source), decodeURIComponent(path));
      const where = `${file}:${line}: ${target}`;
      if (!existsSync(destination)) {
        broken.push(`${where} (no file ${relative(base, destination)})`);
      } else if (anchor !== undefined) {
        if (!destination.endsWith(".md") || statSync(destination).isDirectory()) broken.push(`${where} (an anchor into a file that is not Markdown)`);
        else if (!headingAnchors(readFileSync(destination, "utf8")).has(decodeURIComponent(anchor))) {
          broken.push(`${where} (no heading #${anchor} in ${relative(base, destination)})`);
        }
      }
    }
  }
  return broken;
}

describe("reading Markdown", () => {
  it("takes a section up to the next heading of its level or above, and its code blocks of one language", () => {
    const text = ["# Doc", "## Use", "```ts", "one();", "```", "### Detail", "```sh", "# a comment, not a heading", "```", "```ts", "two();", "```", "## Next", "```ts", "three();", "```"].join("\n");
    const use = sectionLines(text, "## Use")!;
    expect(use.at(-1)).toBe("```");
    expect(codeBlocks(use, "ts")).toEqual(["one();\n", "two();\n"]);
    expect(codeBlocks(sectionLines(text, "### Detail")!, "sh")).toEqual(["# a comment, not a heading\n"]);
    expect(sectionLines(text, "## Missing")).toBeNull();
  });

  it("turns headings into GitHub's anchors", () => {
    expect(slug("Exactly what encode does")).toBe("exactly-what-encode-does");
    expect(slug("Demo: semantic search in the page")).toBe("demo-semantic-search-in-the-page");
    expect(slug("The `.browser.ts` swap")).toBe("the-browserts-swap");
    expect(slug("`model2vec/evaluate` → [linked](x.md)")).toBe("model2vecevaluate--linked");
    expect([...headingAnchors("# A\n\n```sh\n# not a heading\n```\n\n## A\n## B ##\n")]).toEqual(["a", "a-1", "b"]);
  });

  it("reports a missing file, a missing heading in another file or its own, and skips code, URLs and good links", async () => {
    const base = await mkdtemp(join(tmpdir(), "m2v-doc-links-"));
    try {
      await mkdir(join(base, "docs"));
      await writeFile(join(base, "docs", "guide.md"), "# Guide\n\n## Step one\n\nBack to the [README](../README.md#top).\n");
      await writeFile(
        join(base, "README.md"),
        [
          "# Top",
          "See [the guide](docs/guide.md), [step one](docs/guide.md#step-one) and [the folder](docs/).",
          "Also [gone](docs/gone.md), [a typo](docs/guide.md#step-two), [here](#nowhere) and [up](#top).",
          "Skipped: [web](https://example.com/x.md), `[code](nothing.md)`,",
          "```md",
          "[fenced](nothing.md)",
          "```",
        ].join("\n"),
      );
      expect(documentationFiles(base)).toEqual(["README.md", join("docs", "guide.md")]);
      expect(brokenLinks(base, documentationFiles(base))).toEqual([
        `README.md:3: docs/gone.md (no file ${join("docs", "gone.md")})`,
        `README.md:3: docs/guide.md#step-two (no heading #step-two in ${join("docs", "guide.md")})`,
        "README.md:3: #nowhere (no heading #nowhere in README.md)",
      ]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe("the README and docs/", () => {
  const files = documentationFiles(root);

  it("link only to files and headings that exist", () => {
    expect(files.length).toBeGreaterThan(2);
    expect(brokenLinks(root, files)).toEqual([]);
  });

  it("name only source paths that exist (src/, scripts/, bench/, test/, examples/ in backticks)", () => {
    const missing: string[] = [];
    for (const file of files) {
      proseLines(readFileSync(join(root, file), "utf8")).forEach((line, index) => {
        for (const [, path] of line.matchAll(/`((?:src|scripts|bench|test|examples)\/[\w./-]*)`/g)) {
          if (!existsSync(join(root, path!))) missing.push(`${file}:${index + 1}: ${path}`);
        }
      });
    }
    expect(missing).toEqual([]);
  });

  it("has every docs page linked from the README", () => {
    const linked = new Set(relativeLinks(readFileSync(join(root, "README.md"), "utf8")).map(({ target }) => target.split("#")[0]));
    expect(files.filter((file) => file !== "README.md" && !linked.has(file.split("\\").join("/")))).toEqual([]);
  });

  it("lists every benchmark in docs/speed.md, and which of them npm run bench runs", () => {
    const speed = readFileSync(join(root, "docs", "speed.md"), "utf8");
    const listed = new Map([...speed.matchAll(/^\| `(bench\/[\w-]+\.bench\.ts)` \| (yes|no) \|/gm)].map(([, file, inBench]) => [file!, inBench === "yes"]));
    const scripts = readdirSync(join(root, "bench")).filter((name) => name.endsWith(".bench.ts")).map((name) => `bench/${name}`);
    const { scripts: npm } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { bench: string } };
    expect([...listed.keys()].sort()).toEqual(scripts.sort());
    expect(scripts.filter((file) => listed.get(file) !== npm.bench.includes(file))).toEqual([]);
  });

  it("lists every Node module with a .browser.ts sibling in docs/ARCHITECTURE.md's table of the swap", () => {
    const architecture = readFileSync(join(root, "docs", "ARCHITECTURE.md"), "utf8");
    const swapped = (readdirSync(join(root, "src"), { recursive: true }) as string[])
      .filter((path) => path.endsWith(".browser.ts"))
      .map((path) => `src/${path.split("\\").join("/").replace(/\.browser\.ts$/, ".ts")}`);
    expect(swapped.length).toBeGreaterThan(3);
    expect(swapped.filter((path) => !architecture.includes(`| \`${path}\` |`))).toEqual([]);
  });

  it("maps every folder of src/ in docs/ARCHITECTURE.md", () => {
    const architecture = readFileSync(join(root, "docs", "ARCHITECTURE.md"), "utf8");
    const folders = readdirSync(join(root, "src"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.map(({ name }) => `src/${name}/`).filter((folder) => !architecture.includes(`\`${folder}\``))).toEqual([]);
  });
});
