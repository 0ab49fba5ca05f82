import { describe, expect, it } from "vitest";
import { averagePrecision } from "../../src/evaluate/metrics/average-precision.js";
import { accuracy, classificationReport, macroF1, weightedF1 } from "../../src/evaluate/metrics/classification.js";
import { completeness, homogeneity, homogeneityCompletenessVMeasure, vMeasure } from "../../src/evaluate/metrics/clustering.js";
import { averageRanks, cosine, pearson, spearman } from "../../src/evaluate/metrics/correlation.js";
import { sortLabels } from "../../src/evaluate/metrics/labels.js";
import { bestAccuracy, bestF1, pairScores } from "../../src/evaluate/metrics/pair-classification.js";
import { evaluateRetrieval, mapAtK, mrrAtK, ndcgAtK, precisionAtK, rankByScore, recallAtK } from "../../src/evaluate/metrics/retrieval.js";

describe("metrics", () => {
  it("averageRanks gives ties the mean of their ranks", () => {
    expect(Array.from(averageRanks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
  });

  it("spearman with ties matches a hand computation", () => {
    // x ranks [1, 2.5, 2.5, 4], y ranks [1, 2, 3, 4]: pearson of those = 0.9486832980505138 (scipy.stats.spearmanr).
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(() => spearman([1], [1, 2])).toThrow(RangeError);
  });

  it("pearson and cosine on known vectors", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([3, 4], [6, 8])).toBeCloseTo(1, 12);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });
});

describe("averagePrecision (sklearn average_precision_score)", () => {
  it("matches the scikit-learn documentation example", () => {
    // Sorted: 0.8(+) 0.4(−) 0.35(+) 0.1(−): AP = ½·1 + ½·(2/3) = 5/6.
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.8333333333333333);
  });

  it("treats tied scores as one threshold", () => {
    // 0.9(−), then {0.5: +, +, −} together: TP 2, FP 2 → P = 0.5, ΔR = 1 → AP = 0.5 (sklearn: 0.5).
    // Breaking the tie would give 7/12 (positives first) or 5/12 (negative first).
    expect(averagePrecision([0.9, 0.5, 0.5, 0.5], [0, 1, 1, 0])).toBe(0.5);
    // {0.5: +, −} → P = ½, ΔR = ½; {0.2: +} → P = ⅔, ΔR = ½: 1/4 + 1/3 = 7/12 (sklearn: 0.5833333333333333).
    expect(averagePrecision([0.5, 0.5, 0.2], [1, 0, 1])).toBe(0.5833333333333333);
  });

  it("scores hard 0/1 predictions as MTEB's binary classification ap does", () => {
    // Threshold 1: {+} → P 1, ΔR ½; threshold 0: {−, +, −} → TP 2 FP 2, P ½, ΔR ½: 0.75 (sklearn: 0.75).
    expect(averagePrecision([0, 1, 0, 0], [0, 1, 1, 0])).toBe(0.75);
    expect(averagePrecision([0, 1, 0, 0], [false, true, true, false])).toBe(0.75);
  });

  it("is 0 without positives and refuses bad input", () => {
    expect(averagePrecision([0.1, 0.2, 0.3], [0, 0, 0])).toBe(0);
    expect(() => averagePrecision([0.1, Number.NaN], [0, 1])).toThrow(RangeError);
    expect(() => averagePrecision([0.1, 0.2], [0, 2])).toThrow(RangeError);
    expect(() => averagePrecision([0.1], [0, 1])).toThrow(RangeError);
  });
});

describe("V-measure (sklearn v_measure_score)", () => {
  it("is 1 for perfect labelings, whatever the label values", () => {
    expect(vMeasure([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    expect(vMeasure([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(vMeasure(["a", "a", "b", "b"], [5, 5, 3, 3])).toBe(1);
    expect(vMeasure([0, 0], [1, 1])).toBe(1); // both entropies 0: h = c = 1
    expect(vMeasure([], [])).toBe(1);
  });

  it("matches the scikit-learn documentation examples bit for bit", () => {
    // H(C) = ln 2, H(K) = 1.5 ln 2, I = ln 2: h = 1, c = 2/3, V = 0.8 (sklearn prints 0.7999999999999999).
    const split = homogeneityCompletenessVMeasure([0, 0, 1, 1], [0, 0, 1, 2]);
    expect(split).toEqual({ homogeneity: 0.9999999999999999, completeness: 0.6666666666666666, vMeasure: 0.7999999999999999 });
    expect(vMeasure([0, 0, 1, 2], [0, 0, 1, 1])).toBe(0.7999999999999999);
    expect(vMeasure([0, 1, 2, 3], [0, 0, 1, 1])).toBe(0.6666666666666666);
  });

  it("handles single-cluster and single-class labelings as sklearn does", () => {
    // One cluster: H(K) = 0 → completeness 1, I = 0 → homogeneity 0 → V = 0.
    expect(homogeneityCompletenessVMeasure([0, 0, 1, 1], [0, 0, 0, 0])).toEqual({ homogeneity: 0, completeness: 1, vMeasure: 0 });
    // One class split apart: H(C) = 0 → homogeneity 1, completeness 0 → V = 0.
    expect(homogeneity([0, 0, 0, 0], [0, 1, 2, 3])).toBe(1);
    expect(completeness([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(vMeasure([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
  });

  it("matches a hand computation", () => {
    // Classes {0,1,2}{3,4,5}, clusters {0,1}{2,3}{4,5}. H(C) = ln 2, H(K) = ln 3,
    // I = (2/6)ln(6·2/(3·2)) + (1/6)ln(6·1/(3·2)) twice = (2/3) ln 2.
    // h = 2/3, c = (2/3) ln 2 / ln 3, V = 2hc / (h + c).
    const h = 2 / 3;
    const c = ((2 / 3) * Math.LN2) / Math.log(3);
    const scores = homogeneityCompletenessVMeasure([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]);
    expect(scores.homogeneity).toBeCloseTo(h, 15);
    expect(scores.completeness).toBeCloseTo(c, 15);
    expect(scores.vMeasure).toBeCloseTo((2 * h * c) / (h + c), 15);
    expect(scores.vMeasure).toBeCloseTo(0.5158037429793888, 15); // sklearn
  });
});

describe("retrieval metrics (pytrec_eval / BEIR as MTEB reports them)", () => {
  const graded = new Map([
    ["d1", 3],
    ["d2", 2],
    ["d3", 1],
    ["n0", 0],
  ]);

  it("nDCG@10 uses linear gains and the ideal order of all relevant documents", () => {
    // Ranking d3 n0 d1 d2 x (3 relevant, fewer than 10):
    // DCG  = 1/log2(2) + 0 + 3/log2(4) + 2/log2(5) = 1 + 1.5 + 0.8613531161467861 = 3.3613531161467862
    // IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4)     = 3 + 1.261859507142915 + 0.5  = 4.7618595071429155
    // nDCG@10 = 0.7058908628246313
    const ranked = ["d3", "n0", "d1", "d2", "x"];
    const expected = (1 + 3 / 2 + 2 / Math.log2(5)) / (3 + 2 / Math.log2(3) + 1 / 2);
    expect(ndcgAtK(ranked, graded, 10)).toBeCloseTo(expected, 15);
    expect(ndcgAtK(ranked, graded, 10)).toBeCloseTo(0.7058908628246313, 15);
    // Exponential gains (2^g − 1) would give (1 + 7/2 + 3/log2 5)/(7 + 3/log2 3 + 1/2) = 0.6166…; not what trec_eval does.
    expect(ndcgAtK(ranked, graded, 10)).not.toBeCloseTo((1 + 7 / 2 + 3 / Math.log2(5)) / (7 + 3 / Math.log2(3) + 1 / 2), 3);
    expect(ndcgAtK(["d1", "d2", "d3"], graded, 10)).toBe(1);
    expect(ndcgAtK(["x", "y"], graded, 10)).toBe(0);
  });

  it("nDCG cuts both DCG and the ideal DCG at k", () => {
    // k = 2, ranking d2 d1: DCG = 2 + 3/log2 3; IDCG@2 = 3 + 2/log2 3.
    expect(ndcgAtK(["d2", "d1", "d3"], graded, 2)).toBeCloseTo((2 + 3 / Math.log2(3)) / (3 + 2 / Math.log2(3)), 15);
    // A relevant document at rank 11 does not count at k = 10.
    const late = [...Array.from({ length: 10 }, (_, i) => `x${i}`), "d1"];
    expect(ndcgAtK(late, graded, 10)).toBe(0);
    expect(ndcgAtK(late, graded, 11)).toBeCloseTo(3 / Math.log2(12) / (3 + 2 / Math.log2(3) + 1 / 2), 15);
    // Only judgements with grade > 0 shape the ideal; no relevant judgement → 0.
    expect(ndcgAtK(["n0"], new Map([["n0", 0]]), 10)).toBe(0);
  });

  const five = new Map(["a", "b", "c", "d", "e"].map((d) => [d, 1]));
  // a at rank 1, b at rank 3, c at rank 12; two non-relevant judged, the rest unjudged.
  const ranking = ["a", "x1", "b", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "c"];

  it("MAP@10 divides by all relevant documents, not by min(k, R) or the number found", () => {
    // (P@1 + P@3) / 5 = (1 + 2/3) / 5 = 1/3.
    expect(mapAtK(ranking, five, 10)).toBeCloseTo(1 / 3, 15);
    // 20 relevant, a perfect top 10: 10 / 20.
    const twenty = new Map(Array.from({ length: 20 }, (_, i) => [`r${i}`, 1] as [string, number]));
    expect(mapAtK(Array.from({ length: 10 }, (_, i) => `r${i}`), twenty, 10)).toBe(0.5);
    expect(mapAtK(ranking, new Map([["a", 0]]), 10)).toBe(0);
  });

  it("recall@10, P@10 and MRR@10 on small cases", () => {
    expect(recallAtK(ranking, five, 10)).toBe(2 / 5);
    expect(recallAtK(ranking, five, 12)).toBe(3 / 5);
    expect(precisionAtK(ranking, five, 10)).toBe(2 / 10);
    expect(precisionAtK(["a", "x"], five, 10)).toBe(1 / 10); // always divided by k
    expect(mrrAtK(ranking, five, 10)).toBe(1);
    expect(mrrAtK(["x1", "x2", "b"], five, 10)).toBe(1 / 3);
    expect(mrrAtK(ranking.slice(1), five, 1)).toBe(0);
    expect(mrrAtK(["x1", "x2", "b"], five, 2)).toBe(0);
  });

  it("refuses duplicates, bad cutoffs and non-integer grades", () => {
    expect(() => ndcgAtK(["a", "a"], five, 10)).toThrow(RangeError);
    expect(() => mapAtK(["a"], five, 0)).toThrow(RangeError);
    expect(() => recallAtK(["a"], new Map([["a", 0.5]]), 10)).toThrow(RangeError);
  });

  it("rankByScore orders as trec_eval: score descending, ties by document id descending (code points)", () => {
    expect(rankByScore({ a: 1, b: 1, c: 2 })).toEqual(["c", "b", "a"]);
    expect(rankByScore(new Map([["\uffff", 1], ["\u{1F600}", 1], ["z", 0.5]]))).toEqual(["\u{1F600}", "\uffff", "z"]);
  });

  it("evaluateRetrieval averages over queries in both run and qrels, judged queries without relevant documents counting 0", () => {
    const qrels = new Map([
      ["q1", new Map([["d1", 1]])],
      ["q2", new Map([["d9", 0]])],
    ]);
    const run = new Map([
      ["q1", ["d1", "x"]],
      ["q2", ["d9"]],
      ["q3", ["d1"]], // no judgements: skipped, as pytrec_eval does
    ]);
    expect(evaluateRetrieval(run, qrels, 10)).toEqual({ ndcg: 0.5, map: 0.5, recall: 0.5, precision: 0.05, mrr: 0.5, queries: 2 });
  });
});

describe("classification metrics (sklearn)", () => {
  const yTrue = ["a", "a", "b", "b", "c"];
  const yPred = ["a", "b", "b", "b", "d"];

  it("accuracy", () => {
    expect(accuracy([0, 1, 2, 2], [0, 2, 2, 2])).toBe(0.75);
    expect(accuracy(yTrue, yPred)).toBe(0.6);
  });

  it("macro-F1 over the labels of yTrue ∪ yPred, weighted F1 by support", () => {
    // a: tp 1 fp 0 fn 1 → 2/3; b: tp 2 fp 1 fn 0 → 4/5; c: only true → 0; d: only predicted → 0.
    // Macro = (2/3 + 4/5) / 4 = 11/30 (sklearn 0.3666666666666667); weighted = (2·2/3 + 2·4/5) / 5 = 44/75.
    expect(macroF1(yTrue, yPred)).toBeCloseTo(11 / 30, 15);
    expect(weightedF1(yTrue, yPred)).toBeCloseTo(44 / 75, 15);
    expect(macroF1([1, 1, 0], [1, 1, 0])).toBe(1);
    const report = classificationReport(yTrue, yPred);
    expect(report.map((row) => row.label)).toEqual(["a", "b", "c", "d"]);
    expect(report[0]).toEqual({ label: "a", precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(report[1]).toEqual({ label: "b", precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(report[3]).toEqual({ label: "d", precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it("orders labels as numpy.unique", () => {
    expect(sortLabels([10, 2, 10, -1])).toEqual([-1, 2, 10]);
    expect(sortLabels(["b", "B", "a", "\u{1F600}", "\uffff"])).toEqual(["B", "a", "b", "\uffff", "\u{1F600}"]);
    expect(() => sortLabels([1, "1"])).toThrow(TypeError);
  });
});

describe("pair classification helpers", () => {
  it("pairScores follows sklearn's paired distances, negated, and cosine's zero-row convention", () => {
    const a = [new Float32Array([1, 0]), new Float32Array([0, 0]), new Float32Array([3, 4]), new Float32Array([0, 0]), new Float32Array([1, 2])];
    const b = [new Float32Array([0, 1]), new Float32Array([1, 1]), new Float32Array([3, 4]), new Float32Array([0, 0]), new Float32Array([2, 3.5])];
    const scores = pairScores(a, b);
    expect(Object.keys(scores)).toEqual(["cosine", "dot", "euclidean", "manhattan"]);
    // sklearn (float64): 1 − paired_cosine_distances = [0, 0.5000000000000001, 1, 1, 0.9984603532054124]:
    // a zero row against a non-zero one scores ½, two zero rows score 1.
    expect(Array.from(scores.cosine)).toEqual([0, 0.5000000000000001, 1, 1, 0.9984603532054124]);
    expect(Array.from(scores.dot)).toEqual([0, 0, 25, 0, 9]);
    // Distances negated: euclidean [√2, √2, 0, 0, √(1 + 2.25)], manhattan [2, 2, 0, 0, 2.5].
    expect(Array.from(scores.euclidean)).toEqual([-Math.SQRT2, -Math.SQRT2, -0, -0, -Math.sqrt(3.25)]);
    expect(Array.from(scores.manhattan)).toEqual([-2, -2, -0, -0, -2.5]);
    expect(() => pairScores([a[0]!], [])).toThrow(RangeError);
  });

  it("bestAccuracy and bestF1 scan thresholds as MTEB's evaluator", () => {
    // Sorted: 0.9(+) 0.8(−) 0.7(+) 0.1(−). Cuts: after 0.9 → (1 + 2)/4; after 0.8 → (1 + 1)/4; after 0.7 → (2 + 1)/4.
    // The first maximum 0.75 wins, threshold (0.9 + 0.8)/2.
    expect(bestAccuracy([0.1, 0.9, 0.7, 0.8], [0, 1, 1, 0])).toEqual({ accuracy: 0.75, threshold: (0.9 + 0.8) / 2 });
    // F1 after 0.9: P 1, R ½ → ⅔; after 0.8: P ½, R ½ → ½; after 0.7: P ⅔, R 1 → 0.8 (best), threshold (0.7 + 0.1)/2.
    const f1 = bestF1([0.1, 0.9, 0.7, 0.8], [0, 1, 1, 0]);
    expect(f1.f1).toBeCloseTo(0.8, 15);
    expect(f1).toMatchObject({ precision: 2 / 3, recall: 1, threshold: (0.7 + 0.1) / 2 });
  });
});
