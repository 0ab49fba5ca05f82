/**
 * Error classes, one per failure family. Each message names the file, tensor,
 * option or input index at fault, and what was expected.
 */

/** Base class of every error this library throws on purpose. */
export class Model2VecError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A model file (safetensors, config, layout) is missing, malformed or inconsistent. */
export class ModelFormatError extends Model2VecError {}

/** A saved search index (its vectors or its JSON) is missing, malformed or inconsistent. */
export class IndexFormatError extends Model2VecError {}

/** A tokenizer.json could not be read or used. */
export class TokenizerError extends Model2VecError {}

/** An argument passed by the caller is not what the API accepts. */
export class InvalidInputError extends Model2VecError {}

/** A Hugging Face Hub operation failed or is not available. */
export class HubError extends Model2VecError {
  /** The HTTP status the Hub answered, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number | undefined }) {
    super(message, options);
    this.status = options?.status;
  }
}

/** An optional package a feature needs (onnxruntime-node, @tensorflow/tfjs) is not installed or cannot load. */
export class MissingDependencyError extends Model2VecError {}
