/**
 * Makes the corpus words tokenlearn adds to a SentencePiece (Unigram) student
 * reachable. distill gives an added word the vocabulary's lowest score (as
 * Python's model2vec does), so Viterbi segmentation keeps choosing the teacher's
 * pieces and the added rows are never looked up: on USE-lite's 8,000-piece
 * vocabulary, 11 of 173,078 corpus tokens were added words. Giving each added
 * word its unigram log-probability in the corpus, ln(count / total), the score a
 * Unigram LM would give it, lets the whole word win over its split into pieces.
 * WordPiece and BPE students (Python tokenlearn's bge teacher) need none of this.
 */
import { InvalidInputError } from "../errors.js";
import { StaticModel } from "../model/static-model.js";
import { isRebuildable, loadTokenizer } from "../tokenizer/load-tokenizer.js";

/** SentencePiece's word-start marker. */
const METASPACE = "\u2581";

/**
 * A copy of `model` whose Unigram pieces that the teacher's tokenizer.json
 * (`teacherTokenizer`, a Unigram model too) does not hold are
 * scored ln(count / total) with their corpus `counts` (keys: the words without
 * the "▁" marker, lowercased as `countCorpusTokens` makes them). Pieces without
 * a count keep their score; the table keeps its stored dtype and values. A model whose
 * tokenizer is not a Unigram model loaded from tokenizer.json is returned as it is.
 *
 * @throws InvalidInputError when no count is positive.
 */
export function scoreAddedWords(model: StaticModel, counts: ReadonlyMap<string, number>, teacherTokenizer: Record<string, unknown>): StaticModel {
  if (!isRebuildable(model.tokenizer)) return model;
  const json = model.tokenizer.toJSON() as { model?: { type?: string; vocab?: [string, number][] } };
  const vocab = json.model?.vocab;
  if (json.model?.type !== "Unigram" || !Array.isArray(vocab)) return model;
  const teacherVocab = (teacherTokenizer as { model?: { vocab?: unknown } }).model?.vocab;
  if (!Array.isArray(teacherVocab)) return model;
  const original = new Set(teacherVocab.map((entry) => (entry as [string, number])[0]));
  let total = 0;
  for (const count of counts.values()) total += count;
  if (!(total > 0)) throw new InvalidInputError("scoreAddedWords needs corpus counts with a positive total");
  const rescored = vocab.map(([piece, score]): [string, number] => {
    if (original.has(piece)) return [piece, score];
    const count = counts.get((piece.startsWith(METASPACE) ? piece.slice(1) : piece).toLowerCase());
    return [piece, count === undefined || count <= 0 ? score : Math.log(count / total)];
  });
  const tokenizer = loadTokenizer({ ...json, model: { ...json.model, vocab: rescored } });
  return new StaticModel({
    embeddings: model.storedTable,
    tokenizer,
    weights: model.weights,
    mapping: model.mapping,
    normalize: model.normalize,
    config: model.config,
    baseModelName: model.baseModelName,
    language: model.language,
    license: model.license,
    embeddingDtype: model.embeddingDtype,
  });
}
