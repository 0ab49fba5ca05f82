/**
 * model2vec/teachers: the Node-only teacher adapters for distillation. They load
 * optional peers lazily: `onnxruntime-node` for ONNX transformers, and
 * `@tensorflow/tfjs` + `@tensorflow/tfjs-backend-wasm` for the Universal Sentence Encoder.
 *
 * @packageDocumentation
 */
export { OnnxTeacher, ONNX_MODEL_PATHS, importOnnxRuntime, type OnnxTeacherOptions, type OnnxRuntimeModule } from "./distill/onnx-teacher.js";
export { UseTeacher, USE_DIM, USE_MAX_LENGTH, importTensorFlow, type UseTeacherOptions, type UseBackend } from "./distill/use-teacher.js";
export { sentencePieceTokenizerJson, type SentencePieceTokenizerOptions } from "./distill/sentencepiece-tokenizer.js";
export { loadTeacher } from "./distill/load-teacher.js";
