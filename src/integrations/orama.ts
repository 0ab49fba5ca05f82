/**
 * `model2vec/orama`: an Orama plugin that fills a vector property from a
 * document's text on insert, and embeds the `term` of vector and hybrid searches.
 *
 * It takes the parameters of `@orama/plugin-embeddings` and behaves the same
 * (the joined text of `onInsert.properties`, unit-length vectors), so replacing
 * that import with this one is the whole change; the vectors come from a
 * Model2Vec model in process instead of USE on TensorFlow.js. Its hooks are
 * synchronous, so inserts stay on Orama's synchronous path. This entry needs
 * nothing from `@orama/orama` at run time (its types only).
 *
 * @packageDocumentation
 */
import type { AnyDocument, AnyOrama, OramaPluginSync, SearchParams } from "@orama/orama";
import { InvalidInputError } from "../errors.js";
import { type EncodeOptions, StaticModel } from "../model/static-model.js";

/** The schema type of the vector property for the bundled default model (192 dimensions); other models: `vector[${model.dim}]`. */
export const embeddingsType = "vector[192]";

/** Parameters of {@link pluginEmbeddings}: those of `@orama/plugin-embeddings`, plus the model. */
export interface PluginEmbeddingsParams {
  embeddings: {
    /** The vector property filled on insert and searched by default; its schema type is `vector[<model dim>]`. */
    defaultProperty: string;
    onInsert?: {
      /** Fill `defaultProperty` on insert. */
      generate: boolean;
      /** The (dotted) properties whose text is embedded, joined with ". ". */
      properties: string[];
      /** Log each text embedded. */
      verbose?: boolean | undefined;
    } | undefined;
  };
  /** A loaded model, or a model folder or Hub id for `StaticModel.fromPretrained`; default the bundled model. */
  model?: StaticModel | string | undefined;
  /** Forwarded to `model.encode`; `normalize` defaults to true, as Orama's plugin does. */
  encode?: EncodeOptions | undefined;
}

/** The value at a dotted `path` of `doc`, as Orama reads nested properties. */
function valueAt(doc: AnyDocument, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** The text embedded for a document: its `properties` that are present, joined with ". " (as `@orama/plugin-embeddings` does). */
function documentText(doc: AnyDocument, properties: readonly string[]): string {
  return properties
    .map((path) => valueAt(doc, path))
    .filter((value) => value !== undefined)
    .join(". ");
}

/**
 * An Orama plugin backed by a Model2Vec model: a drop-in for
 * `@orama/plugin-embeddings`' `pluginEmbeddings`.
 *
 * @example
 * ```ts
 * import { create, insert, search } from "@orama/orama";
 * import { embeddingsType, pluginEmbeddings } from "model2vec/orama";
 *
 * const plugin = await pluginEmbeddings({
 *   embeddings: { defaultProperty: "embeddings", onInsert: { generate: true, properties: ["title"] } },
 * });
 * const db = create({ schema: { title: "string", embeddings: embeddingsType } as const, plugins: [plugin] });
 * insert(db, { title: "Cats purr when they are content" });
 * const results = await search(db, { term: "kittens", mode: "vector", similarity: 0.3 });
 * ```
 *
 * @throws InvalidInputError when `onInsert.generate` is set without `onInsert.properties`;
 *   the errors of `StaticModel.fromPretrained` when the model cannot be loaded. The
 *   plugin throws InvalidInputError from Orama's `create` when the schema's
 *   `defaultProperty` is not a vector of the model's width, and from `search` when a
 *   vector or hybrid search has neither `term` nor `vector.value`.
 */
export async function pluginEmbeddings(params: PluginEmbeddingsParams): Promise<OramaPluginSync> {
  const { defaultProperty, onInsert } = params.embeddings;
  if (onInsert?.generate && !Array.isArray(onInsert.properties)) {
    throw new InvalidInputError('pluginEmbeddings: "embeddings.onInsert.properties" must list the properties to embed when "embeddings.onInsert.generate" is true');
  }
  // Not instanceof: the CommonJS build of each entry point carries its own copy of the class.
  const model = typeof params.model === "object" ? params.model : await StaticModel.fromPretrained(params.model);
  const encodeOptions: EncodeOptions = { normalize: true, ...params.encode };
  // Orama's documents hold plain arrays (its schema validation and JSON persistence expect them).
  const embed = (text: string): number[] => Array.from(model.encode(text, encodeOptions));

  return {
    name: "model2vec-embeddings",

    afterCreate(orama: AnyOrama): void {
      const type = valueAt(orama.schema, defaultProperty);
      if (type !== `vector[${model.dim}]`) {
        throw new InvalidInputError(
          `pluginEmbeddings: the schema's "${defaultProperty}" (embeddings.defaultProperty) must be "vector[${model.dim}]" for this ${model.dim}-dimensional model, not ${JSON.stringify(type)}`,
        );
      }
    },

    beforeInsert(_orama: AnyOrama, _id: string, doc: AnyDocument): void {
      if (!onInsert?.generate) return;
      const text = documentText(doc, onInsert.properties);
      if (onInsert.verbose) console.log(`Generating embeddings for properties "${onInsert.properties.join(", ")}": "${text}"`);
      doc[defaultProperty] = embed(text);
    },

    beforeSearch<T extends AnyOrama>(_orama: T, search: SearchParams<T>): void {
      if ((search.mode !== "vector" && search.mode !== "hybrid") || search.vector?.value) return;
      if (!search.term) throw new InvalidInputError('pluginEmbeddings: a vector or hybrid search needs a "term" (to embed) or a "vector"');
      const value = embed(search.term);
      if (search.vector) search.vector.value = value;
      else search.vector = { property: defaultProperty, value };
    },
  };
}
