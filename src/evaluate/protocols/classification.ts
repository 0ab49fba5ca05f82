/**
 * Classification (MTEB AbsTaskClassification with logRegClassificationEvaluator):
 * `nExperiments` times, the training indices are shuffled (seeded) and
 * undersampled to at most `samplesPerLabel` texts per label; a logistic regression
 * (sklearn defaults: L2, C = 1, 100 iterations) is fitted on their frozen
 * embeddings and scored on the whole test split. Scores are the means over
 * experiments; main score = accuracy × 100, with macro-F1 alongside. MTEB's
 * defaults are 10 experiments of 8 texts per label; our shuffles use our own
 * seeded generator, so the samples differ from numpy's.
 */
import { mulberry32, shuffle } from "../../random.js";
import { type CachingEncoder, stackRows } from "../encoder.js";
import { fitLogisticRegression } from "../logistic-regression.js";
import { accuracy, macroF1 } from "../metrics/classification.js";
import type { ClassificationData } from "../types.js";

export interface ClassificationProtocol {
  nExperiments?: number | undefined;
  samplesPerLabel?: number | undefined;
}

export async function evaluateClassification(encoder: CachingEncoder, data: ClassificationData, seed: number, protocol: ClassificationProtocol = {}) {
  const nExperiments = protocol.nExperiments ?? 10;
  const samplesPerLabel = protocol.samplesPerLabel ?? 8;
  const test = stackRows(await encoder.embed(data.test.texts));
  const random = mulberry32(seed);
  const indices = data.train.texts.map((_, i) => i);
  let accuracySum = 0;
  let f1Sum = 0;
  for (let experiment = 0; experiment < nExperiments; experiment++) {
    shuffle(indices, random);
    const counts = new Map<string | number, number>();
    const sample = indices.filter((i) => {
      const label = data.train.labels[i]!;
      const count = counts.get(label) ?? 0;
      if (count >= samplesPerLabel) return false;
      counts.set(label, count + 1);
      return true;
    });
    const train = stackRows(await encoder.embed(sample.map((i) => data.train.texts[i]!)));
    const classifier = fitLogisticRegression(train.data, sample.length, train.dim, sample.map((i) => data.train.labels[i]!));
    const predicted = classifier.predict(test.data, data.test.texts.length);
    accuracySum += accuracy(data.test.labels, predicted);
    f1Sum += macroF1(data.test.labels, predicted);
  }
  const scores = { accuracy: (100 * accuracySum) / nExperiments, macroF1: (100 * f1Sum) / nExperiments };
  return { mainScore: scores.accuracy, scores };
}
