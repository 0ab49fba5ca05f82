/** Model card (README.md) YAML front matter: the subset Hugging Face model cards use. */

/** Scalar or list-of-scalar values of the front matter's top-level keys. */
export type FrontMatter = Record<string, string | string[] | null>;

/**
 * Reads the top-level `key: value` and `key:` + `- item` entries of a README's
 * front matter (between the leading `---` lines). Nested maps are skipped; a
 * README without front matter gives `{}`.
 */
export function parseFrontMatter(readme: string): FrontMatter {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(readme);
  if (!match) return {};
  const result: FrontMatter = {};
  let listKey: string | null = null;
  for (const line of match[1]!.split(/\r?\n/)) {
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item && listKey !== null) {
      if (/^[\w.-]+:(\s|$)/.test(item[1]!)) {
        // A list of maps (e.g. model-index): not a scalar list, so skipped.
        result[listKey] = null;
        listKey = null;
        continue;
      }
      const list = result[listKey];
      const value = unquote(item[1]!);
      result[listKey] = Array.isArray(list) ? [...list, value] : [value];
      continue;
    }
    const entry = /^([A-Za-z_][\w.-]*):\s*(.*)$/.exec(line);
    if (!entry) {
      // An indented key under the current one is a nested map: skipped, with everything under it.
      if (listKey !== null && /^\s+[^\s-]/.test(line)) result[listKey] = null;
      if (!item) listKey = null;
      continue;
    }
    const [, key, raw] = entry as unknown as [string, string, string];
    listKey = raw.trim() === "" ? key : null;
    result[key] = raw.trim() === "" ? null : parseInline(raw.trim());
  }
  return result;
}

function parseInline(raw: string): string | string[] | null {
  if (raw === "null" || raw === "~") return null;
  if (raw.startsWith("[") && raw.endsWith("]")) {
    const inner = raw.slice(1, -1).trim();
    return inner === "" ? [] : inner.split(",").map((part) => unquote(part.trim()));
  }
  return unquote(raw);
}

function unquote(value: string): string {
  const v = value.trim();
  const quoted = /^(["'])(.*)\1(\s+#.*)?$/.exec(v);
  if (quoted) return quoted[2]!;
  return v.replace(/\s+#.*$/, "");
}
