/** classifier_config.json: what a saved classifier's head needs beside the model files. */
import { ModelFormatError } from "../errors.js";
import { describe } from "../model/arguments.js";
import type { StaticModel } from "../model/static-model.js";
import { type ClassLabel, isLabel } from "./labels.js";

/** The classifier config file written next to the model files. */
export const CLASSIFIER_CONFIG_FILE = "classifier_config.json";
/** The `version` of classifier_config.json this code writes and reads. */
export const FORMAT_VERSION = 1;

/** The contents of classifier_config.json. */
export interface ClassifierConfig {
  version: number;
  labels: ClassLabel[];
  multilabel: boolean;
  nLayers: number;
  hiddenDim: number;
  normalize: boolean;
  inputDim: number;
}

/** Validates classifier_config.json against the loaded model. */
export function parseConfig(raw: unknown, model: StaticModel): ClassifierConfig {
  const fail = (what: string): never => {
    throw new ModelFormatError(`${CLASSIFIER_CONFIG_FILE}: ${what}`);
  };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail("is not a JSON object");
  const config = raw as Record<string, unknown>;
  if (config.version !== FORMAT_VERSION) fail(`version ${describe(config.version)} is not supported (expected ${FORMAT_VERSION})`);
  const labels = config.labels;
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every(isLabel)) fail("labels must be a non-empty array of strings or numbers");
  if (new Set(labels as ClassLabel[]).size !== (labels as ClassLabel[]).length) fail("labels has duplicates");
  if (typeof config.multilabel !== "boolean") fail("multilabel must be a boolean");
  if (typeof config.normalize !== "boolean") fail("normalize must be a boolean");
  for (const key of ["nLayers", "hiddenDim", "inputDim"] as const) {
    const value = config[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < (key === "nLayers" ? 0 : 1)) fail(`${key} must be a ${key === "nLayers" ? "non-negative" : "positive"} integer, got ${describe(value)}`);
  }
  if (config.inputDim !== model.dim) fail(`inputDim ${config.inputDim} does not match the model's dimension ${model.dim}`);
  return {
    version: FORMAT_VERSION,
    labels: labels as ClassLabel[],
    multilabel: config.multilabel as boolean,
    nLayers: config.nLayers as number,
    hiddenDim: config.hiddenDim as number,
    normalize: config.normalize as boolean,
    inputDim: config.inputDim as number,
  };
}
