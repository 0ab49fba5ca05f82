/** Model card (README.md) YAML front matter: the subset Hugging Face model cards use. */
import { InvalidInputError } from "../errors.js";

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

/**
 * The licence a card states when nothing is known of the model's own: Python
 * model2vec's (it writes `license: mit` on every card). A model loaded from a card
 * or config that names a licence, or distilled from a teacher with a known one,
 * keeps that licence instead.
 */
export const DEFAULT_LICENSE = "mit";

/** What a model card states. */
export interface ModelCardInfo {
  modelName: string;
  baseModel: string | string[] | null;
  language: string | string[] | null;
  /** A Hugging Face licence identifier (`apache-2.0`, `mit`, `cc-by-4.0`, `other`…); null for {@link DEFAULT_LICENSE}. */
  license: string | null;
}

/**
 * The licence a loaded model states: the card's `license`, else its config's, else null.
 * A value that is not a licence identifier (a list, a sentence) counts as none.
 */
export function licenseOf(card: FrontMatter, config: Record<string, unknown>): string | null {
  for (const value of [card.license, config.license]) if (isLicense(value)) return value;
  return null;
}

/**
 * Checks a `license` option: a Hugging Face licence identifier such as "apache-2.0".
 *
 * @returns The licence, or undefined when the option is absent.
 * @throws InvalidInputError naming `name` for anything else.
 */
export function licenseOption(value: unknown, name = "license"): string | undefined {
  if (value === undefined) return undefined;
  if (!isLicense(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : value === null ? "null" : typeof value;
    throw new InvalidInputError(`${name} must be a licence identifier such as "apache-2.0" or "mit", got ${shown}`);
  }
  return value;
}

/** Whether `value` is a Hugging Face licence identifier such as "apache-2.0" (letters, digits, `.+_-`). */
export function isLicense(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/.test(value);
}

/**
 * A model card with the front matter Python model2vec writes (keys sorted, absent
 * values left out): base_model, language, library_name, license, model_name, tags.
 */
export function renderModelCard(info: ModelCardInfo): string {
  const lines = ["---"];
  const entry = (key: string, value: string | string[] | null) => {
    if (value === null) return;
    if (Array.isArray(value)) lines.push(`${key}:`, ...value.map((item) => `- ${yamlScalar(item)}`));
    else lines.push(`${key}: ${yamlScalar(value)}`);
  };
  entry("base_model", info.baseModel);
  entry("language", info.language);
  entry("library_name", "model2vec");
  entry("license", info.license ?? DEFAULT_LICENSE);
  entry("model_name", info.modelName);
  entry("tags", ["embeddings", "static-embeddings", "sentence-transformers"]);
  lines.push("---");
  const base = typeof info.baseModel === "string" ? info.baseModel : null;
  return `${lines.join("\n")}

# ${info.modelName} Model Card

This [Model2Vec](https://github.com/MinishLab/model2vec) model is a static embedding model${
    base ? `, distilled from [${base}](https://huggingface.co/${base})` : ""
  }. A sentence is embedded by averaging the vectors of its tokens, so encoding takes microseconds on a CPU.

## Usage

In Python, with [model2vec](https://github.com/MinishLab/model2vec):

\`\`\`python
from model2vec import StaticModel

model = StaticModel.from_pretrained("${info.modelName}")
embeddings = model.encode(["Example sentence"])
\`\`\`

In JavaScript or TypeScript, with the \`model2vec\` npm package:

\`\`\`ts
import { StaticModel } from "model2vec";

const model = await StaticModel.fromPretrained("${info.modelName}");
const embeddings = model.encode(["Example sentence"]);
\`\`\`

With [Sentence Transformers](https://www.sbert.net):

\`\`\`python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("${info.modelName}")
embeddings = model.encode(["Example sentence"])
\`\`\`
`;
}

/** A YAML scalar: plain when unambiguous, else double-quoted (JSON string syntax is valid YAML). */
function yamlScalar(value: string): string {
  const plain = /^[A-Za-z0-9_][A-Za-z0-9_./ -]*$/.test(value) && !/ $/.test(value) && !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}
