/** `loadTeacher` in the browser build: the ONNX and USE teachers read files, so they need Node. */
import { MissingDependencyError } from "../errors.js";
import type { Teacher } from "./teacher.js";

export async function loadTeacher(model: string, _options: unknown = {}): Promise<Teacher> {
  throw new MissingDependencyError(
    `distill({ model: "${model}" }) loads its teacher from files, which needs Node; in a browser, call distillFromModel({ teacher }) with a Teacher of your own`,
  );
}
