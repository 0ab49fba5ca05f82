/**
 * model2vec: Model2Vec static text embeddings for JavaScript and TypeScript.
 *
 * @packageDocumentation
 */
export { StaticModel } from "./model/static-model.js";
export type {
  EncodeAsSequenceOptions,
  EncodeOptions,
  FromPretrainedOptions,
  StaticModelInit,
  TokenizeOptions,
} from "./model/static-model.js";
export type { ModelFiles } from "./persistence/model-files.js";
export type { SaveOptions } from "./persistence/save-files.js";
export type { BrowserHubOptions, FetchLoadOptions, FromUrlOptions } from "./persistence/load-url.js";
export type { HubLoadOptions } from "./persistence/resolve-model.js";
export type { HubFilesOptions } from "./hub/resolve-files.js";
export type { DownloadProgress } from "./hub/download.js";
export type { PushOptions } from "./hub/push.js";
export { quantizeModel } from "./model/quantize-model.js";
export type { QuantizeOptions } from "./quantize/quantize-table.js";
export type { QuantizeDtype } from "./quantize/dtype.js";
export type { KMeansOptions } from "./quantize/kmeans.js";
export { Embeddings } from "./linalg/embeddings.js";
export type { StoredDtype, StoredTable } from "./linalg/stored-table.js";
export type { IdSink, Tokenizer } from "./tokenizer/tokenizer.js";
export { HuggingFaceTokenizer } from "./tokenizer/hf-tokenizer.js";
export { loadTokenizer } from "./tokenizer/load-tokenizer.js";
export { readSafetensors, decodeFloat32, type Dtype, type RawTensor, type SafetensorsFile } from "./formats/safetensors.js";
export { writeSafetensors, type TensorToWrite } from "./formats/safetensors-writer.js";
export { distill, distillFromModel, type DistillOptions, type DistillFromPathOptions } from "./distill/distill.js";
export type { DistillProgress } from "./distill/embed-tokens.js";
export type { Pooling, Teacher } from "./distill/teacher.js";
export { DEFAULT_TOKEN_REMOVE_PATTERN } from "./distill/vocabulary.js";
export type { PcaDims } from "./linalg/pca.js";
export { HubError, InvalidInputError, MissingDependencyError, Model2VecError, ModelFormatError, TokenizerError } from "./errors.js";
