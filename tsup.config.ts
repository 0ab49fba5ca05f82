import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/teachers.ts", "src/evaluation.ts", "src/training.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  treeshake: true,
});
