/**
 * `model2vec/lancedb`: a Model2Vec embedding function in LanceDB's embedding
 * registry, under the name "model2vec".
 *
 * A table whose schema is built with `LanceSchema` from this function's
 * `sourceField()` and `vectorField()` fills its vectors on `add` and embeds the
 * query of `search("text")`. The function's options are plain JSON, stored in the
 * table's schema, so a table opened later (another connection, another process)
 * re-creates the same function once {@link registerModel2Vec} has run there.
 *
 * `@lancedb/lancedb` (0.31) is an optional peer dependency, imported on first use.
 *
 * @packageDocumentation
 */
import type { EmbeddingFunctionRegistry, TextEmbeddingFunction } from "@lancedb/lancedb/embedding";
import { StaticModel } from "../model/static-model.js";
import { importPeer } from "./import-peer.js";

/** The name the function is registered under, and stored under in a table's schema. */
export const MODEL2VEC_LANCEDB_NAME = "model2vec";

/**
 * Options of the "model2vec" embedding function. They are saved in the table's
 * schema as JSON: values only, no objects. A value `"$var:name"` is read from
 * `getRegistry().setVar(name, value)` instead (LanceDB's variables), which is
 * required for `token` so that it is never written to the table.
 */
export type Model2VecLanceOptions = {
  /** A local model folder or a Hub id, as `StaticModel.fromPretrained` takes; default the bundled model. */
  model?: string | undefined;
  /** Hub revision (branch, tag or commit). */
  revision?: string | undefined;
  /** Hub access token, as a `"$var:name"` reference only. */
  token?: string | undefined;
  /** Tokens kept per text (encode's `maxLength`); default 512. */
  maxLength?: number | null | undefined;
  /** Unit-length vectors; default true, so LanceDB's default L2 distance ranks as cosine does. */
  normalize?: boolean | undefined;
};

/** The "model2vec" embedding function: a LanceDB `TextEmbeddingFunction` with its loaded model. */
export interface Model2VecEmbeddingFunction extends TextEmbeddingFunction<Model2VecLanceOptions> {
  /** The model it encodes with. */
  readonly model: StaticModel;
}

type LanceEmbeddingModule = typeof import("@lancedb/lancedb/embedding");

/**
 * Loaded models by options. LanceDB re-creates the function from the table's
 * schema on every `add` and every text `search`, so without this each of them
 * would load the model again.
 */
const models = new Map<string, Promise<StaticModel>>();

function loadModel(options: Model2VecLanceOptions): Promise<StaticModel> {
  const key = JSON.stringify([options.model ?? null, options.revision ?? null, options.token ?? null]);
  let model = models.get(key);
  if (model === undefined) {
    model = StaticModel.fromPretrained(options.model, { revision: options.revision, token: options.token });
    // A failed load is not kept: the next attempt loads again.
    model.catch(() => models.delete(key));
    models.set(key, model);
  }
  return model;
}

function defineFunction({ TextEmbeddingFunction }: LanceEmbeddingModule) {
  return class Model2VecFunction extends TextEmbeddingFunction<Model2VecLanceOptions> implements Model2VecEmbeddingFunction {
    readonly #options: Model2VecLanceOptions;
    #model: StaticModel | undefined;

    constructor(options: Model2VecLanceOptions = {}) {
      super();
      // Keeps `options` as given (for the table's schema) and returns them with variables read.
      this.#options = this.resolveVariables(options);
    }

    protected override getSensitiveKeys(): string[] {
      return ["token"];
    }

    /** Called by the registry's `create`, before any embedding. */
    override async init(): Promise<void> {
      this.#model = await loadModel(this.#options);
    }

    /** Set by `init()`, which the registry's `create` (the only way to make one) awaits. */
    get model(): StaticModel {
      return this.#model!;
    }

    override ndims(): number {
      return this.model.dim;
    }

    /** One row view per text (no copies); LanceDB reads them into its Arrow vector column. */
    override async generateEmbeddings(texts: string[]): Promise<Float32Array[]> {
      const matrix = this.model.encode(texts, { normalize: this.#options.normalize ?? true, maxLength: this.#options.maxLength });
      return Array.from({ length: matrix.rows }, (_, i) => matrix.row(i));
    }
  };
}

/** LanceDB's registry, with "model2vec" registered in it. */
async function registryWithModel2Vec(): Promise<EmbeddingFunctionRegistry> {
  const lance = await importPeer("@lancedb/lancedb", "The LanceDB embedding function", "@lancedb/lancedb@0.31.0", () => import("@lancedb/lancedb/embedding"));
  const registry = lance.getRegistry();
  if (registry.get(MODEL2VEC_LANCEDB_NAME) === undefined) registry.register(MODEL2VEC_LANCEDB_NAME)(defineFunction(lance));
  return registry;
}

/**
 * Registers the "model2vec" embedding function in LanceDB's registry, once
 * (later calls do nothing). Call it before opening a table whose schema uses it.
 *
 * @throws MissingDependencyError when `@lancedb/lancedb` is not installed.
 */
export async function registerModel2Vec(): Promise<void> {
  await registryWithModel2Vec();
}

/**
 * Registers "model2vec" (see {@link registerModel2Vec}) and creates the function
 * with its model loaded, for `LanceSchema({ text: func.sourceField(), vector: func.vectorField() })`.
 *
 * @example
 * ```ts
 * import * as lancedb from "@lancedb/lancedb";
 * import { LanceSchema } from "@lancedb/lancedb/embedding";
 * import { model2vecEmbeddingFunction } from "model2vec/lancedb";
 *
 * const func = await model2vecEmbeddingFunction(); // bundled default model
 * const db = await lancedb.connect("data/lancedb");
 * const table = await db.createEmptyTable("docs", LanceSchema({ text: func.sourceField(), vector: func.vectorField() }));
 * await table.add([{ text: "Cats purr." }, { text: "Stocks fell." }]);
 * const hits = await table.search("kittens").limit(1).toArray();
 * ```
 *
 * @throws MissingDependencyError when `@lancedb/lancedb` is not installed; the
 *   errors of `StaticModel.fromPretrained` when the model cannot be loaded.
 */
export async function model2vecEmbeddingFunction(options: Model2VecLanceOptions = {}): Promise<Model2VecEmbeddingFunction> {
  const registry = await registryWithModel2Vec();
  return registry.get<Model2VecEmbeddingFunction>(MODEL2VEC_LANCEDB_NAME)!.create(options);
}
