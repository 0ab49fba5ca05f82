/**
 * The epochs of `fit`, as Python's `StaticModelForClassification.fit` runs them
 * under Lightning (`model2vec/train/classifier.py`): Adam over the table, the token logits and the head; ReduceLROnPlateau on the
 * validation loss; the best validation metric's weights kept and restored; early
 * stopping on the validation metric.
 */
import { shuffle } from "../random.js";
import { type Checkpoint, restore, snapshot } from "./checkpoint.js";
import type { FitHistory, FitProgress } from "./fit-options.js";
import type { Mlp } from "./mlp.js";
import { Adam, ReduceLROnPlateau } from "./optimizer.js";
import type { PooledEncoder } from "./pooled-encoder.js";
import { type Targets, lossOf, selectTargets } from "./targets.js";
import type { ValidationData } from "./validation-split.js";
import { validationScore } from "./validation-score.js";

/** Everything one training run needs, checked. */
export interface TrainingRun {
  encoder: PooledEncoder;
  head: Mlp;
  /** Token ids and targets of every training text; `train` picks the rows trained on. */
  ids: Int32Array[];
  targets: Targets;
  train: readonly number[];
  validation: ValidationData | null;
  nClasses: number;
  weights: Float64Array | null;
  learningRate: number;
  lazyEmbeddingUpdates: boolean;
  batchSize: number;
  minEpochs: number;
  maxEpochs: number;
  patience: number | null;
  random: () => number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: FitProgress) => void) | undefined;
}

/** Trains `run.encoder` and `run.head` in place and leaves them at the best epoch's weights. */
export async function trainEpochs(run: TrainingRun): Promise<FitHistory> {
  const { encoder, head, validation, maxEpochs } = run;
  const optimizer = new Adam([encoder.table, encoder.logits, ...head.parameters()], { learningRate: run.learningRate, lazy: run.lazyEmbeddingUpdates });
  optimizer.zeroGrad();
  const scheduler = new ReduceLROnPlateau(optimizer);
  const earlyStopping = new EarlyStopping(run.patience, run.minEpochs);

  const history: FitHistory = { epochs: 0, trainLoss: [], valLoss: [], valMetric: [], bestEpoch: 0, learningRate: [] };
  let best: Checkpoint | null = null;
  let bestMetric = -Infinity;
  const pass: EpochPass = { order: run.train.slice(), lastYield: Date.now() };
  const aborted = () => {
    if (best) restore(encoder, head, best);
    run.signal!.throwIfAborted();
  };

  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    const trainLoss = await trainEpoch(run, optimizer, pass, aborted);
    history.epochs = epoch;
    history.trainLoss.push(trainLoss);
    history.learningRate.push(optimizer.learningRate);
    let stop = false;
    if (validation !== null) {
      const { loss, metric } = validationScore(encoder, head, validation, run.nClasses, run.weights);
      history.valLoss.push(loss);
      history.valMetric.push(metric);
      scheduler.step(loss);
      if (metric > bestMetric) {
        bestMetric = metric;
        best = snapshot(encoder, head);
        history.bestEpoch = epoch;
      }
      stop = earlyStopping.update(metric, epoch);
    } else {
      history.bestEpoch = epoch;
    }
    run.onProgress?.({
      epoch,
      maxEpochs,
      trainLoss,
      valLoss: validation !== null ? history.valLoss[epoch - 1]! : NaN,
      valMetric: validation !== null ? history.valMetric[epoch - 1]! : NaN,
      learningRate: optimizer.learningRate,
      bestEpoch: history.bestEpoch,
    });
    if (stop) break;
  }
  if (best) restore(encoder, head, best);
  return history;
}

/** The state carried from one epoch to the next: the shuffled row order and when the loop last yielded. */
interface EpochPass {
  order: number[];
  lastYield: number;
}

/**
 * One shuffled pass over the training rows in batches, yielding to the event
 * loop every 50 ms and calling `aborted` once the signal fires.
 *
 * @returns the mean training loss of the epoch.
 */
async function trainEpoch(run: TrainingRun, optimizer: Adam, pass: EpochPass, aborted: () => void): Promise<number> {
  const { encoder, head, ids, batchSize, nClasses, signal } = run;
  const { order } = pass;
  shuffle(order, run.random);
  let lossSum = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    if (Date.now() - pass.lastYield > 50) {
      await yieldToEventLoop();
      pass.lastYield = Date.now();
    }
    if (signal?.aborted) aborted();
    const end = Math.min(start + batchSize, order.length);
    const rows = order.slice(start, end);
    const batch = rows.map((i) => ids[i]!);
    const targets = selectTargets(run.targets, rows, nClasses);
    const h = encoder.forward(batch, { train: true });
    const logits = head.forward(h, { train: true });
    const { loss, grad } = lossOf(logits, targets, nClasses, run.weights);
    encoder.backward(head.backward(grad));
    optimizer.step();
    optimizer.zeroGrad();
    lossSum += loss * rows.length;
  }
  return lossSum / order.length;
}

/** Lightning's EarlyStopping(mode="max", min_delta=0.001): stop after `patience` epochs without that gain. */
class EarlyStopping {
  #best = -Infinity;
  #wait = 0;

  constructor(
    private readonly patience: number | null,
    private readonly minEpochs: number,
  ) {}

  /** Records the epoch's metric; true when training should stop. */
  update(metric: number, epoch: number): boolean {
    if (metric - 0.001 > this.#best) {
      this.#best = metric;
      this.#wait = 0;
    } else {
      this.#wait++;
    }
    return this.patience !== null && this.#wait >= this.patience && epoch >= this.minEpochs;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
