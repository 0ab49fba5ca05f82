/** parseFrontMatter: the YAML subset of Hugging Face model cards. */
import { describe, expect, it } from "vitest";
import { parseFrontMatter } from "../../src/persistence/model-card.js";

/** The front matter model2vec writes for a distilled model, followed by the card body. */
const MODEL2VEC_README = `---
base_model: BAAI/bge-base-en-v1.5
language:
- en
library_name: model2vec
license: mit
model_name: x
tags:
- embeddings
- static-embeddings
- sentence-transformers
---

# x Model Card

This [Model2Vec](https://github.com/MinishLab/model2vec) model is a distilled version of BAAI/bge-base-en-v1.5.

---
license: not-front-matter
---
`;

const MODEL2VEC_FIELDS = {
  base_model: "BAAI/bge-base-en-v1.5",
  language: ["en"],
  library_name: "model2vec",
  license: "mit",
  model_name: "x",
  tags: ["embeddings", "static-embeddings", "sentence-transformers"],
};

describe("parseFrontMatter", () => {
  it("reads a model2vec README's front matter (and nothing of the body)", () => {
    expect(parseFrontMatter(MODEL2VEC_README)).toEqual(MODEL2VEC_FIELDS);
  });

  it("reads indented list items", () => {
    const readme = "---\nlanguage:\n  - en\n  - de\nlicense: mit\n---\n";
    expect(parseFrontMatter(readme)).toEqual({ language: ["en", "de"], license: "mit" });
  });

  it("reads inline lists", () => {
    const readme = `---
language: [en, fr]
tags: [ "a", 'b c' ,d ]
datasets: []
---
`;
    expect(parseFrontMatter(readme)).toEqual({ language: ["en", "fr"], tags: ["a", "b c", "d"], datasets: [] });
  });

  it("unquotes quoted values and keeps colons inside them", () => {
    const readme = `---
model_name: "my: model"
license: 'apache-2.0'
base_model: "BAAI/bge-small-en-v1.5"
language:
- "en"
- 'fr'
---
`;
    expect(parseFrontMatter(readme)).toEqual({
      model_name: "my: model",
      license: "apache-2.0",
      base_model: "BAAI/bge-small-en-v1.5",
      language: ["en", "fr"],
    });
  });

  it("reads null values, empty keys and trailing comments", () => {
    const readme = "---\nbase_model: null\npipeline_tag: ~\nempty:\nlicense: mit # the licence\nurl: https://x.y/#anchor\n---\n";
    expect(parseFrontMatter(readme)).toEqual({
      base_model: null,
      pipeline_tag: null,
      empty: null,
      license: "mit",
      url: "https://x.y/#anchor",
    });
  });

  it("handles CRLF line endings", () => {
    expect(parseFrontMatter(MODEL2VEC_README.replace(/\n/g, "\r\n"))).toEqual(MODEL2VEC_FIELDS);
  });

  it("handles a byte-order mark", () => {
    expect(parseFrontMatter(`\uFEFF${MODEL2VEC_README}`)).toEqual(MODEL2VEC_FIELDS);
    expect(parseFrontMatter(`\uFEFF${MODEL2VEC_README}`.replace(/\n/g, "\r\n"))).toEqual(MODEL2VEC_FIELDS);
  });

  it("reads front matter that ends the file without a final newline", () => {
    expect(parseFrontMatter("---\nlicense: mit\n---")).toEqual({ license: "mit" });
  });

  it("gives {} when there is no front matter", () => {
    expect(parseFrontMatter("# A model\n\nlicense: mit\n")).toEqual({});
    // Front matter must start the file.
    expect(parseFrontMatter(`\n${MODEL2VEC_README}`)).toEqual({});
    expect(parseFrontMatter(`# Title\n${MODEL2VEC_README}`)).toEqual({});
    // An opening --- without a closing one.
    expect(parseFrontMatter("---\nlicense: mit\n\n# Body\n")).toEqual({});
  });

  it("gives {} for an empty README or empty front matter", () => {
    expect(parseFrontMatter("")).toEqual({});
    expect(parseFrontMatter("---\n---\n")).toEqual({});
    expect(parseFrontMatter("---\n\n---\n# Body")).toEqual({});
  });

  it("skips a nested map without breaking the following keys", () => {
    const readme = `---
base_model: BAAI/bge-base-en-v1.5
widget:
  text: hello
  nested:
    deep: 1
language:
- en
license: mit
---
`;
    const result = parseFrontMatter(readme);
    expect(result.base_model).toBe("BAAI/bge-base-en-v1.5");
    expect(result.language).toEqual(["en"]);
    expect(result.license).toBe("mit");
    expect(result.widget ?? null).toBeNull();
    // The nested keys do not leak to the top level.
    expect(Object.keys(result).sort()).toEqual(["base_model", "language", "license", "widget"]);
  });

  it("keeps the keys after a list of maps (model-index) intact", () => {
    const readme = `---
model-index:
- name: x
  results:
  - task:
      type: classification
base_model: a/b
language:
- en
- nl
---
`;
    const result = parseFrontMatter(readme);
    expect(result.base_model).toBe("a/b");
    expect(result.language).toEqual(["en", "nl"]);
    expect(result.task).toBeUndefined();
    expect(result.type).toBeUndefined();
  });

  // KNOWN BUG (src/persistence/model-card.ts): an indented key of a nested map does
  // not end the parent's list context, so the nested list's items are appended
  // to the parent key (widget becomes ["a", "b"]). When fixed, turn `it.fails` into `it`.
  it("does not give a nested map's inner list to the parent key", () => {
    const result = parseFrontMatter("---\nwidget:\n  examples:\n    - a\n    - b\nlicense: mit\n---\n");
    expect(result.license).toBe("mit");
    expect(result.widget ?? null).toBeNull();
  });

  // KNOWN BUG (src/persistence/model-card.ts): unquote() strips " #..." as a comment
  // before looking at quotes, so "a #b" becomes '"a'. When fixed, turn `it.fails` into `it`.
  it("keeps a # inside a quoted value", () => {
    expect(parseFrontMatter('---\nmodel_name: "a #b"\n---\n')).toEqual({ model_name: "a #b" });
  });
});
