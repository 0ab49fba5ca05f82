/** Quantization: dtype conversion, dimensionality cuts and k-means vocabulary quantization, as Python model2vec's `quantize_model`. */
export {
  QUANTIZE_DTYPES,
  parseQuantizeDtype,
  quantizeEmbeddings,
  roundHalfEven,
  roundToFloat16,
  storedTensor,
  type QuantizeDtype,
  type QuantizeEmbeddingsOptions,
  type StoredTensor,
} from "./dtype.js";
export { assignLabels, kmeans, type KMeansOptions, type KMeansResult } from "./kmeans.js";
export {
  quantizeModel,
  quantizeVocabulary,
  type QuantizeOptions,
  type QuantizeVocabularyOptions,
  type VocabularyQuantization,
} from "./quantize-model.js";
