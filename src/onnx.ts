/**
 * model2vec/onnx: export a static model as an ONNX EmbeddingBag graph for
 * onnxruntime and transformers.js (Node; writes files).
 *
 * @packageDocumentation
 */
export { exportOnnx, onnxExportFiles, onnxInputs, onnxModelBytes } from "./integrations/onnx-export.js";
