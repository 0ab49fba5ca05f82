/**
 * model2vec/teachers: the Node-only teacher adapters for distillation. They load
 * optional peers lazily: `onnxruntime-node` for ONNX transformers, and
 * `@tensorflow/tfjs` + `@tensorflow/tfjs-backend-wasm` for the Universal Sentence Encoder.
 * `distillFromModel({ teacher })` of `model2vec` takes any of them.
 *
 * @packageDocumentation
 */
export { OnnxTeacher, type OnnxTeacherOptions, type OnnxRuntimeModule } from "./onnx-teacher.js";
export { UseTeacher, type UseTeacherOptions, type UseBackend } from "./use-teacher.js";
export { loadTeacher } from "./load-teacher.js";
