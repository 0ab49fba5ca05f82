/** Topic-aware batches: k-means topics of the teacher vectors' directions, and batches drawn from one topic. */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { mulberry32 } from "../../src/random.js";
import { topicBatchOrder, topicLabels } from "../../src/tokenlearn/topic-batches.js";

const DIM = 8;

/** `perTopic` rows around each of three orthogonal directions, at lengths from 0.1 to 10 so only the direction groups them. */
function threeTopics(perTopic: number): { vectors: Float32Array; truth: number[] } {
  const next = mulberry32(3);
  const truth: number[] = [];
  const vectors = new Float32Array(3 * perTopic * DIM);
  for (let r = 0; r < 3 * perTopic; r++) {
    const topic = r % 3;
    truth.push(topic);
    const length = 0.1 + next() * 9.9;
    for (let j = 0; j < DIM; j++) vectors[r * DIM + j] = length * ((j === topic ? 1 : 0) + (next() - 0.5) * 0.2);
  }
  return { vectors, truth };
}

describe("topicLabels", () => {
  it("groups rows by direction whatever their length, and labels rows it was not fitted on", () => {
    const { vectors, truth } = threeTopics(200);
    const fitRows = Array.from({ length: 300 }, (_, i) => i);
    const labels = topicLabels(vectors, DIM, fitRows, 3, 42);
    expect(labels).toHaveLength(600);
    const labelOf = [0, 1, 2].map((topic) => labels[truth.indexOf(topic)]!);
    expect(new Set(labelOf).size).toBe(3);
    for (let r = 0; r < 600; r++) expect(labels[r]).toBe(labelOf[truth[r]!]);
  });

  it("is deterministic for a seed", () => {
    const { vectors } = threeTopics(50);
    const rows = Array.from({ length: 150 }, (_, i) => i);
    expect(topicLabels(vectors, DIM, rows, 5, 7)).toEqual(topicLabels(vectors, DIM, rows, 5, 7));
  });

  it("refuses a topic count that is not an integer from 1 to the fitted rows", () => {
    const { vectors } = threeTopics(2);
    for (const k of [0, 7, 2.5, Number.NaN]) {
      expect(() => topicLabels(vectors, DIM, [0, 1, 2, 3, 4, 5], k, 42)).toThrow(InvalidInputError);
    }
    expect(() => topicLabels(vectors, DIM, [0, 1, 2, 3, 4, 5], 7, 42)).toThrow(/batchTopics must be an integer from 1 to the 6 training rows, got 7/);
  });
});

describe("topicBatchOrder", () => {
  const rows = Array.from({ length: 1000 }, (_, i) => i * 2); // every other row of 2,000
  const labels = Int32Array.from({ length: 2000 }, (_, i) => Math.floor(i / 2) % 4); // 250 rows per topic

  it("is a permutation of the rows whose full batches hold one topic but where a topic runs out", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const order = topicBatchOrder(rows, labels, 4, 64, mulberry32(seed));
      expect([...order].sort((a, b) => a - b)).toEqual(rows);
      let mixed = 0;
      for (let start = 0; start + 64 <= order.length; start += 64) {
        const topics = new Set(order.slice(start, start + 64).map((r) => labels[r]));
        expect(topics.size).toBeLessThanOrEqual(2);
        if (topics.size === 2) mixed++;
      }
      expect(mixed).toBeLessThanOrEqual(3); // a batch per seam between consecutive topics at most
    }
  });

  it("keeps the short batch last, so an epoch's fixed-size slices stay whole batches", () => {
    for (const seed of [2, 3, 4]) {
      const order = topicBatchOrder(rows, labels, 4, 64, mulberry32(seed));
      const short = order.slice(-(1000 % 64)); // 40 rows: the end of the last topic
      expect(new Set(short.map((r) => labels[r])).size).toBe(1);
    }
    // One batch of everything: the topics one after another.
    const grouped = topicBatchOrder(rows, labels, 4, 1000, mulberry32(2));
    expect(grouped.filter((r, i) => i > 0 && labels[r] !== labels[grouped[i - 1]!]).length).toBe(3);
  });

  it("draws a different order from a different stream, the same from the same", () => {
    const a = topicBatchOrder(rows, labels, 4, 64, mulberry32(5));
    expect(topicBatchOrder(rows, labels, 4, 64, mulberry32(5))).toEqual(a);
    expect(topicBatchOrder(rows, labels, 4, 64, mulberry32(6))).not.toEqual(a);
  });
});
