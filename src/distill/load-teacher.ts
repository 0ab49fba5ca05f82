/** Recognises a teacher by what its folder holds (Node-only; loaded lazily by `distill`). */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { isDirectory } from "../io/node-file-source.js";
import { OnnxTeacher, type OnnxTeacherOptions } from "./onnx-teacher.js";
import type { Teacher } from "./teacher.js";
import { UseTeacher } from "./use-teacher.js";

/**
 * A TF.js Universal Sentence Encoder folder (`model.json` + `vocab.json`) loads as
 * a {@link UseTeacher}; any other folder or a Hub id as an {@link OnnxTeacher}.
 */
export async function loadTeacher(model: string, options: OnnxTeacherOptions = {}): Promise<Teacher> {
  if ((await isDirectory(model)) && (await isFile(join(model, "model.json"))) && (await isFile(join(model, "vocab.json")))) {
    return UseTeacher.load(model);
  }
  return OnnxTeacher.load(model, options);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
