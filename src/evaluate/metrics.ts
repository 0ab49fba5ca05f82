/**
 * Evaluation metrics, each ported from the code MTEB v1 (mteb 1.14) calls:
 * scipy (`spearmanr`, `pearsonr`) for STS, scikit-learn (`average_precision_score`,
 * `v_measure_score`, `accuracy_score`, `f1_score`, paired distances) for pair
 * classification, reranking, clustering and classification, pytrec_eval
 * (trec_eval's `ndcg_cut`, `map_cut`, `recall`, `P`) and BEIR's MRR for retrieval.
 * Each function's documentation gives the exact formula and its source.
 */

/** Ranks starting at 1, ties given the mean of the ranks they span (as scipy's `rankdata`). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + end + 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    covariance += da * db;
    varianceA += da * da;
    varianceB += db * db;
  }
  return covariance / Math.sqrt(varianceA * varianceB);
}

/** Spearman's rank correlation with tie-averaged ranks (scipy's `spearmanr`). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spearman: ${a.length} values against ${b.length}`);
  return pearson(averageRanks(a), averageRanks(b));
}

/** Cosine similarity of two vectors; 0 when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

/** A class or cluster label, as MTEB datasets carry them. */
export type Label = string | number;

/**
 * Orders labels as `numpy.unique` does, which is how scikit-learn lists classes
 * (`LogisticRegression.classes_`, `unique_labels`): numbers ascending, strings by
 * Unicode code point (numpy compares UCS-4 code points; UTF-16 comparison would
 * misorder astral characters). Mixing numbers and strings is refused, as numpy
 * refuses to sort such an array.
 */
export function sortLabels<L extends Label>(labels: Iterable<L>): L[] {
  const unique = [...new Set(labels)];
  let numbers = 0;
  for (const label of unique) {
    if (typeof label === "number") {
      if (Number.isNaN(label)) throw new RangeError("labels: NaN is not a label");
      numbers++;
    }
  }
  if (numbers === unique.length) return unique.sort((a, b) => (a as number) - (b as number));
  if (numbers === 0) return unique.sort((a, b) => compareCodePoints(a as string, b as string));
  throw new TypeError("labels: a mix of numbers and strings (numpy/scikit-learn cannot order them)");
}

/**
 * Compares two strings by Unicode code point, which is also the byte order of
 * their UTF-8 encodings (what C's `strcmp` sees, e.g. in trec_eval). Surrogate
 * code units (U+D800–DFFF) are moved above U+E000–FFFF so that astral
 * characters sort after every BMP character.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca - cb;
    }
  }
  return a.length - b.length;
}

function checkSameLength(name: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`${name}: ${a.length} values against ${b.length}`);
}

// ---------------------------------------------------------------------------
// Ranking: average precision
// ---------------------------------------------------------------------------

/**
 * Average precision, exactly as scikit-learn's `average_precision_score(labels,
 * scores)` (binary, `pos_label=1`), which MTEB uses for pair classification
 * (`PairClassificationEvaluator.ap_score`, one AP per similarity), reranking
 * (`RerankingEvaluator.ap_score`, averaged over queries into MAP) and the binary
 * classification `ap` (there on the hard 0/1 predictions).
 *
 * Protocol (`sklearn.metrics._ranking._binary_clf_curve` +
 * `precision_recall_curve` + `_binary_uninterpolated_average_precision`): the
 * samples are sorted by score, descending, and every *distinct* score is one
 * threshold, so tied scores enter together. With TP(t) and FP(t) the counts of
 * positives and negatives scoring ≥ t, P(t) = TP/(TP+FP) and R(t) = TP/#positives,
 *
 *   AP = Σ_t (R(t) − R(t_prev)) · P(t)
 *
 * over thresholds from the highest down — a step-wise sum, not interpolated.
 * A group of tied scores therefore contributes (its positives / #positives) ×
 * the precision reached after the whole group. Without any positive, scikit-learn
 * warns and sets recall to 1 at every threshold; the sum is then the precision at
 * the highest threshold, 0 — returned here as 0.
 *
 * @param scores higher = more likely positive (negate distances first, as MTEB
 *   does with `scores * -1`); NaN and ±∞ are refused, as scikit-learn refuses them.
 * @param labels 1 / `true` for positives, 0 / `false` for negatives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  checkSameLength("averagePrecision", scores, labels);
  const n = scores.length;
  const positive = new Uint8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label === 1 || label === true) {
      positive[i] = 1;
      positives++;
    } else if (label !== 0 && label !== false) {
      throw new RangeError(`averagePrecision: label ${String(label)} is not 0/1`);
    }
    if (!Number.isFinite(scores[i]!)) throw new RangeError("averagePrecision: non-finite score (scikit-learn refuses NaN and infinity)");
  }
  if (positives === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let ap = 0;
  let tp = 0;
  let fp = 0;
  for (let start = 0; start < n; ) {
    const score = scores[order[start]!]!;
    let groupPositives = 0;
    let end = start;
    for (; end < n && scores[order[end]!] === score; end++) {
      if (positive[order[end]!] === 1) groupPositives++;
    }
    tp += groupPositives;
    fp += end - start - groupPositives;
    if (groupPositives > 0) ap += (groupPositives / positives) * (tp / (tp + fp));
    start = end;
  }
  return ap;
}

// ---------------------------------------------------------------------------
// Clustering: V-measure
// ---------------------------------------------------------------------------

/** Homogeneity, completeness and their harmonic mean (V-measure, β = 1). */
export interface VMeasureScores {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/**
 * scikit-learn's `homogeneity_completeness_v_measure(labels_true, labels_pred,
 * beta=1)`, the measure of MTEB's `ClusteringEvaluator` (`v_measure_score` of the
 * true labels against the k-means assignment; label values only name groups).
 *
 * With natural logs, H(C) and H(K) the entropies of the class and cluster
 * labelings and I(C;K) their mutual information (from the contingency table,
 * computed term by term as `mutual_info_score` does, terms below machine epsilon
 * in magnitude dropped, the sum clipped at 0, and 0 outright when either side has
 * a single group):
 *
 *   homogeneity h = I / H(C), or 1 when H(C) = 0
 *   completeness c = I / H(K), or 1 when H(K) = 0
 *   V = 2·h·c / (h + c), or 0 when h + c = 0
 *
 * Empty input scores 1, 1, 1 (scikit-learn's convention).
 */
export function homogeneityCompletenessVMeasure(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): VMeasureScores {
  checkSameLength("vMeasure", labelsTrue, labelsPred);
  const n = labelsTrue.length;
  if (n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const classIndex = indexLabels(labelsTrue);
  const clusterIndex = indexLabels(labelsPred);
  const classCounts = new Float64Array(classIndex.count);
  const clusterCounts = new Float64Array(clusterIndex.count);
  // Sparse contingency table, visited row-major (class, then cluster) like scipy's `find` on the CSR table.
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = classIndex.codes[i]!;
    const k = clusterIndex.codes[i]!;
    classCounts[c]!++;
    clusterCounts[k]!++;
    const key = c * clusterIndex.count + k;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const entropyC = entropyOfCounts(classCounts);
  const entropyK = entropyOfCounts(clusterCounts);
  let mi = 0;
  if (classIndex.count > 1 && clusterIndex.count > 1) {
    const keys = [...cells.keys()].sort((a, b) => a - b);
    const logN = Math.log(n);
    for (const key of keys) {
      const value = cells.get(key)!;
      const c = Math.floor(key / clusterIndex.count);
      const k = key - c * clusterIndex.count;
      const nm = value / n;
      const logOuter = -Math.log(classCounts[c]! * clusterCounts[k]!) + logN + logN;
      const term = nm * (Math.log(value) - logN) + nm * logOuter;
      if (Math.abs(term) >= Number.EPSILON) mi += term;
    }
    if (mi < 0) mi = 0;
  }
  const homogeneity = entropyC !== 0 ? mi / entropyC : 1;
  const completeness = entropyK !== 0 ? mi / entropyK : 1;
  const vMeasureScore = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure: vMeasureScore };
}

/** scikit-learn's `v_measure_score(labelsTrue, labelsPred)` (β = 1); see {@link homogeneityCompletenessVMeasure}. */
export function vMeasure(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred).vMeasure;
}

/** scikit-learn's `homogeneity_score`: I(C;K) / H(C), 1 when H(C) = 0. */
export function homogeneity(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred).homogeneity;
}

/** scikit-learn's `completeness_score`: I(C;K) / H(K), 1 when H(K) = 0. */
export function completeness(labelsTrue: ArrayLike<Label>, labelsPred: ArrayLike<Label>): number {
  return homogeneityCompletenessVMeasure(labelsTrue, labelsPred).completeness;
}

/** Dense codes 0..count-1 for the labels, in `numpy.unique` order. */
function indexLabels(labels: ArrayLike<Label>): { codes: Int32Array; count: number } {
  const sorted = sortLabels(Array.from(labels));
  const index = new Map<Label, number>(sorted.map((label, i) => [label, i]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) codes[i] = index.get(labels[i]!)!;
  return { codes, count: sorted.length };
}

/** scikit-learn's `entropy`: −Σ (nᵢ/N)(ln nᵢ − ln N), 0 for a single group. */
function entropyOfCounts(counts: Float64Array): number {
  if (counts.length === 1) return 0;
  let total = 0;
  for (const count of counts) total += count;
  const logTotal = Math.log(total);
  let sum = 0;
  for (const count of counts) sum += (count / total) * (Math.log(count) - logTotal);
  return -sum;
}

// ---------------------------------------------------------------------------
// Retrieval (pytrec_eval, i.e. trec_eval; BEIR; MTEB RetrievalEvaluator)
// ---------------------------------------------------------------------------

/** Graded relevance judgements of one query: document id → grade (integer). */
export type QueryQrels = ReadonlyMap<string, number>;

/**
 * Checks a ranking for the problems trec_eval refuses (duplicate documents) and
 * the cutoff; returns the number of ranks that count, min(k, ranking length).
 */
function checkRanking(name: string, ranked: readonly string[], k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: cutoff k must be a positive integer, got ${k}`);
  if (new Set(ranked).size !== ranked.length) throw new RangeError(`${name}: a document appears twice in the ranking (trec_eval refuses duplicates)`);
  return Math.min(k, ranked.length);
}

function grade(qrels: QueryQrels, doc: string): number {
  const value = qrels.get(doc);
  if (value === undefined) return 0;
  if (!Number.isInteger(value)) throw new RangeError(`qrels: grade ${value} of "${doc}" is not an integer (pytrec_eval takes integer grades)`);
  return value;
}

/** Number of judged-relevant documents: grade ≥ 1 (trec_eval `relevance_level` 1). */
function countRelevant(qrels: QueryQrels): number {
  let count = 0;
  for (const [doc] of qrels) if (grade(qrels, doc) >= 1) count++;
  return count;
}

/**
 * nDCG@k as pytrec_eval's `ndcg_cut.k` (trec_eval's `m_ndcg_cut.c`; pytrec_eval
 * builds trec_eval 9.0.5), which MTEB reports as `ndcg_at_k` (the main retrieval
 * score, k = 10).
 *
 *   DCG@k  = Σ_{i=1..min(k,n)} g_i / log2(i + 1)      (i = rank, from 1)
 *   IDCG@k = the same sum over the grades of ALL judged documents with grade > 0,
 *            sorted descending, cut at k (so fewer than k relevant documents is fine)
 *   nDCG@k = DCG@k / IDCG@k, or 0 when IDCG = 0 (no relevant judgement)
 *
 * Gains are linear — the grade itself, not 2^g − 1 ("Gain values are the
 * relevance values in the qrels file", trec_eval's own description). Documents
 * without a judgement, or with a grade ≤ 0, gain nothing. The discount is
 * trec_eval's `log2(i + 2)` for the 0-based position i ("i+2 since doc i has rank
 * i+1"); a 2008 revision of the file divided by log2(i) from rank 2 on
 * (Järvelin–Kekäläinen with b = 2), which current trec_eval no longer does.
 *
 * @param ranked document ids, best first (see {@link rankByScore} for trec_eval's
 *   order of a scored run, ties included).
 * @param qrels this query's judgements; grades must be integers.
 */
export function ndcgAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("ndcgAtK", ranked, k);
  let dcg = 0;
  for (let i = 0; i < cut; i++) {
    const gain = grade(qrels, ranked[i]!);
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  }
  const gains: number[] = [];
  for (const [doc] of qrels) {
    const gain = grade(qrels, doc);
    if (gain > 0) gains.push(gain);
  }
  gains.sort((a, b) => b - a);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) ideal += gains[i]! / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/**
 * MAP@k as pytrec_eval's `map_cut.k` (`m_map_cut.c`), MTEB's `map_at_k`:
 *
 *   AP@k = (Σ_{i ≤ k, doc i relevant} P@i) / R
 *
 * with P@i the precision at rank i and R the number of ALL judged-relevant
 * documents (grade ≥ 1) — not min(k, R): a query with 20 relevant documents and
 * a perfect top 10 scores 10/20 = 0.5. 0 when R = 0.
 */
export function mapAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("mapAtK", ranked, k);
  const relevant = countRelevant(qrels);
  if (relevant === 0) return 0;
  let sum = 0;
  let found = 0;
  for (let i = 0; i < cut; i++) {
    if (grade(qrels, ranked[i]!) >= 1) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / relevant;
}

/**
 * Recall@k as pytrec_eval's `recall.k` (`m_recall.c`), MTEB's `recall_at_k`:
 * relevant documents (grade ≥ 1) in the top k / all judged-relevant documents;
 * 0 when there are none. (Not BEIR's capped `R_cap@k`, which divides by min(R, k).)
 */
export function recallAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("recallAtK", ranked, k);
  const relevant = countRelevant(qrels);
  if (relevant === 0) return 0;
  let found = 0;
  for (let i = 0; i < cut; i++) if (grade(qrels, ranked[i]!) >= 1) found++;
  return found / relevant;
}

/**
 * Precision@k as pytrec_eval's `P.k` (`m_P.c`), MTEB's `precision_at_k`: relevant
 * documents (grade ≥ 1) in the top k / k — always k, even when fewer than k
 * documents were ranked (trec_eval fills the rest with non-relevant ones).
 */
export function precisionAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("precisionAtK", ranked, k);
  let found = 0;
  for (let i = 0; i < cut; i++) if (grade(qrels, ranked[i]!) >= 1) found++;
  return found / k;
}

/**
 * MRR@k as MTEB's `mrr` (`mteb/evaluation/evaluators/utils.py`, taken from BEIR's
 * `custom_metrics.mrr`), reported as `mrr_at_k`: 1 / rank of the first document
 * in the top k with grade > 0, else 0. (Not a pytrec_eval measure; MTEB ranks
 * the run with Python's stable sort, so its ties keep the run's insertion order
 * rather than trec_eval's — pass the ranking you mean.)
 */
export function mrrAtK(ranked: readonly string[], qrels: QueryQrels, k: number): number {
  const cut = checkRanking("mrrAtK", ranked, k);
  for (let i = 0; i < cut; i++) if (grade(qrels, ranked[i]!) > 0) return 1 / (i + 1);
  return 0;
}

/**
 * Orders a scored run the way trec_eval does before computing any measure
 * (`form_res_rels.c`, `comp_sim_docno`): score descending, ties by document id
 * descending in `strcmp` (UTF-8 byte = code point) order. pytrec_eval re-sorts
 * every run this way, so this is the ranking behind MTEB's nDCG/MAP/recall/P.
 */
export function rankByScore(scores: ReadonlyMap<string, number> | Readonly<Record<string, number>>): string[] {
  const entries: [string, number][] = scores instanceof Map ? [...scores] : Object.entries(scores);
  entries.sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : compareCodePoints(b[0], a[0])));
  return entries.map(([doc]) => doc);
}

/** Means over the evaluated queries of {@link evaluateRetrieval}. */
export interface RetrievalScores {
  ndcg: number;
  map: number;
  recall: number;
  precision: number;
  mrr: number;
  /** Queries that counted: in the run and in the qrels. */
  queries: number;
}

/**
 * Mean nDCG@k, MAP@k, recall@k, P@k and MRR@k over queries, as MTEB's
 * `RetrievalEvaluator.evaluate` (pytrec_eval) and `evaluate_custom("mrr")`:
 *
 * - only queries present both in the run and in the qrels count (pytrec_eval
 *   skips run queries without judgements, and evaluates nothing for judged
 *   queries absent from the run);
 * - a judged query whose judgements hold no grade > 0 is NOT skipped: it scores
 *   0 on every measure and weighs in the mean (trec_eval ≥ 8.1 ignores only
 *   queries with no relevance information at all). MTEB's datasets rarely have
 *   such queries, since their qrels list positive judgements only;
 * - means are plain averages over those queries. MTEB then rounds the
 *   pytrec_eval means to 5 decimals (`round(…, 5)`); that rounding is left to the
 *   caller.
 *
 * @param run query id → ranked document ids, best first (trec_eval would order a
 *   scored run with {@link rankByScore}).
 */
export function evaluateRetrieval(run: ReadonlyMap<string, readonly string[]>, qrels: ReadonlyMap<string, QueryQrels>, k = 10): RetrievalScores {
  const totals = { ndcg: 0, map: 0, recall: 0, precision: 0, mrr: 0 };
  let queries = 0;
  for (const [queryId, ranked] of run) {
    const judgements = qrels.get(queryId);
    if (judgements === undefined) continue;
    totals.ndcg += ndcgAtK(ranked, judgements, k);
    totals.map += mapAtK(ranked, judgements, k);
    totals.recall += recallAtK(ranked, judgements, k);
    totals.precision += precisionAtK(ranked, judgements, k);
    totals.mrr += mrrAtK(ranked, judgements, k);
    queries++;
  }
  const mean = (total: number) => (queries === 0 ? 0 : total / queries);
  return { ndcg: mean(totals.ndcg), map: mean(totals.map), recall: mean(totals.recall), precision: mean(totals.precision), mrr: mean(totals.mrr), queries };
}

// ---------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------

/** scikit-learn's `accuracy_score`: the fraction of positions where the labels agree. */
export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkSameLength("accuracy", yTrue, yPred);
  if (yTrue.length === 0) throw new RangeError("accuracy: no samples");
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** Precision, recall, F1 and support of one class. */
export interface ClassScores {
  label: Label;
  precision: number;
  recall: number;
  f1: number;
  /** Occurrences of the class in `yTrue`. */
  support: number;
}

/**
 * Per-class scores as scikit-learn's `precision_recall_fscore_support(average=None)`
 * (and `classification_report`), over the labels of yTrue ∪ yPred in
 * `numpy.unique` order: with tp, fp, fn counted per class,
 *
 *   precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2·tp / (2·tp + fp + fn)
 *
 * and 0 wherever a denominator is 0 (`zero_division="warn"` yields 0).
 */
export function classificationReport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): ClassScores[] {
  checkSameLength("classificationReport", yTrue, yPred);
  const labels = sortLabels([...Array.from(yTrue), ...Array.from(yPred)]);
  const index = new Map<Label, number>(labels.map((label, i) => [label, i]));
  const tp = new Float64Array(labels.length);
  const truePerClass = new Float64Array(labels.length);
  const predPerClass = new Float64Array(labels.length);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!)!;
    const p = index.get(yPred[i]!)!;
    truePerClass[t]!++;
    predPerClass[p]!++;
    if (t === p) tp[t]!++;
  }
  return labels.map((label, c) => {
    const hits = tp[c]!;
    const fp = predPerClass[c]! - hits;
    const fn = truePerClass[c]! - hits;
    return {
      label,
      precision: hits + fp === 0 ? 0 : hits / (hits + fp),
      recall: hits + fn === 0 ? 0 : hits / (hits + fn),
      f1: 2 * hits + fp + fn === 0 ? 0 : (2 * hits) / (2 * hits + fp + fn),
      support: truePerClass[c]!,
    };
  });
}

/**
 * scikit-learn's `f1_score(yTrue, yPred, average="macro")` — MTEB's
 * classification `f1`: the unweighted mean of the per-class F1 (see
 * {@link classificationReport}) over every label present in yTrue ∪ yPred, a
 * class never predicted (or never true) counting with F1 = 0.
 */
export function macroF1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const report = classificationReport(yTrue, yPred);
  if (report.length === 0) throw new RangeError("macroF1: no samples");
  let sum = 0;
  for (const row of report) sum += row.f1;
  return sum / report.length;
}

/**
 * scikit-learn's `f1_score(average="weighted")` — MTEB's `f1_weighted`: per-class
 * F1 averaged with weights = support in yTrue (classes only predicted weigh 0).
 */
export function weightedF1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const report = classificationReport(yTrue, yPred);
  let sum = 0;
  let support = 0;
  for (const row of report) {
    sum += row.f1 * row.support;
    support += row.support;
  }
  if (support === 0) throw new RangeError("weightedF1: no samples");
  return sum / support;
}

// ---------------------------------------------------------------------------
// Pair classification
// ---------------------------------------------------------------------------

/**
 * The four similarities of MTEB's `PairClassificationEvaluator.compute_metrics`,
 * oriented so that higher = more similar everywhere (MTEB passes the distances
 * with `high_score_more_similar=False`, i.e. negates them before
 * `average_precision_score`):
 */
export interface PairScores {
  /** `1 − paired_cosine_distances(a, b)`. */
  cosine: Float64Array;
  /** `a · b`. */
  dot: Float64Array;
  /** `−paired_euclidean_distances(a, b)`. */
  euclidean: Float64Array;
  /** `−paired_manhattan_distances(a, b)`. */
  manhattan: Float64Array;
}

/**
 * Per-pair similarities of `a[i]` and `b[i]` (see {@link PairScores}); feed each
 * array with the 0/1 labels to {@link averagePrecision} for MTEB's per-similarity
 * `ap` (the main score is the best of the four).
 *
 * Cosine follows scikit-learn's `paired_cosine_distances` = ½‖â − b̂‖² with rows
 * L2-normalised by `normalize` (a zero row stays zero): equal to â·b̂ for non-zero
 * rows, but a zero row against a non-zero one gives 1 − ½ = 0.5 and two zero rows
 * give 1. Arithmetic is float64 (numpy works in the embeddings' float32, so the
 * last bits differ; orderings, hence AP, agree unless scores tie to ~1e-7).
 */
export function pairScores(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): PairScores {
  checkSameLength("pairScores", a, b);
  const n = a.length;
  const result: PairScores = { cosine: new Float64Array(n), dot: new Float64Array(n), euclidean: new Float64Array(n), manhattan: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) throw new RangeError(`pairScores: pair ${i} has dimensions ${x.length} and ${y.length}`);
    let dot = 0;
    let normX = 0;
    let normY = 0;
    let squared = 0;
    let manhattan = 0;
    for (let j = 0; j < x.length; j++) {
      const xv = x[j]!;
      const yv = y[j]!;
      dot += xv * yv;
      normX += xv * xv;
      normY += yv * yv;
      const diff = xv - yv;
      squared += diff * diff;
      manhattan += Math.abs(diff);
    }
    // sklearn's `normalize` divides by the norm, leaving zero rows as they are.
    const lengthX = normX === 0 ? 1 : Math.sqrt(normX);
    const lengthY = normY === 0 ? 1 : Math.sqrt(normY);
    let cosineDistance = 0;
    for (let j = 0; j < x.length; j++) {
      const diff = x[j]! / lengthX - y[j]! / lengthY;
      cosineDistance += diff * diff;
    }
    result.cosine[i] = 1 - 0.5 * cosineDistance;
    result.dot[i] = dot;
    result.euclidean[i] = -Math.sqrt(squared);
    result.manhattan[i] = -manhattan;
  }
  return result;
}

/**
 * MTEB's `PairClassificationEvaluator.find_best_acc_and_threshold` on scores where
 * higher = more similar: pairs sorted by score descending (stable), and for each
 * cut after position i = 0..n−2, accuracy = (positives above + negatives below) / n;
 * the first strict maximum wins, threshold = the mean of the scores either side of
 * the cut. Starts from accuracy 0, threshold −1; the cut after the last pair is
 * never tried (as in MTEB). For negated distances the threshold is negated too.
 */
export function bestAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): { accuracy: number; threshold: number } {
  checkSameLength("bestAccuracy", scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let negativesRemaining = 0;
  for (let i = 0; i < n; i++) if (!isPositive(labels[i]!)) negativesRemaining++;
  let positivesSoFar = 0;
  let best = 0;
  let threshold = -1;
  for (let i = 0; i < n - 1; i++) {
    if (isPositive(labels[order[i]!]!)) positivesSoFar++;
    else negativesRemaining--;
    const value = (positivesSoFar + negativesRemaining) / n;
    if (value > best) {
      best = value;
      threshold = (scores[order[i]!]! + scores[order[i + 1]!]!) / 2;
    }
  }
  return { accuracy: best, threshold };
}

/**
 * MTEB's `PairClassificationEvaluator.find_best_f1_and_threshold` on scores where
 * higher = more similar: pairs sorted by score descending (stable); for each cut
 * after position i = 0..n−2 with at least one positive above it, precision =
 * positives above / (i + 1), recall = positives above / all positives, F1 their
 * harmonic mean; the first strict maximum wins, threshold = mean of the scores
 * either side. Starts from F1 = precision = recall = threshold = 0.
 */
export function bestF1(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): { f1: number; precision: number; recall: number; threshold: number } {
  checkSameLength("bestF1", scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (isPositive(labels[i]!)) positives++;
  let extracted = 0;
  let correct = 0;
  const best = { f1: 0, precision: 0, recall: 0, threshold: 0 };
  for (let i = 0; i < n - 1; i++) {
    extracted++;
    if (isPositive(labels[order[i]!]!)) correct++;
    if (correct > 0) {
      const precision = correct / extracted;
      const recall = correct / positives;
      const f1 = (2 * precision * recall) / (precision + recall);
      if (f1 > best.f1) {
        best.f1 = f1;
        best.precision = precision;
        best.recall = recall;
        best.threshold = (scores[order[i]!]! + scores[order[i + 1]!]!) / 2;
      }
    }
  }
  return best;
}

function isPositive(label: number | boolean): boolean {
  return label === 1 || label === true;
}
