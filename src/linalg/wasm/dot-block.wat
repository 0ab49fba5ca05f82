;; Exact-search kernel: dot products of a batch of queries with a block of rows,
;; float32, four lanes at a time.
;;
;; The caller (src/search/wasm-scan-memory.ts) keeps, in this memory:
;;   queries - `queryCount` rows of `dim` f32, one query after another;
;;   rows    - `rowCount` rows of `dim` f32, a block of the index's matrix;
;;   out     - `rowCount × queryCount` f32 scores: out[r * queryCount + q] = queries[q] · rows[r];
;;   thresholds - `queryCount` f32: the score each query's top k must beat so far;
;;   hits    - room for `rowCount` i32: the rows (0-based in the block, increasing) where some
;;             query beats its threshold. `score_block` returns how many there are, so the
;;             caller looks at those rows only (a few percent, once the top k have filled).
;; `dim` is a positive multiple of 4 and every address is 4-byte aligned.
;;
;; The main loop is a register tile of 4 queries × 2 rows: 8 f32x4 accumulators fed by 6
;; loads per step (14 of the 16 SIMD registers of x64), so each row loaded is used 4 times
;; and each query twice. The 4 accumulators of a row reduce together (a 4 × 4 transpose by
;; shuffles and adds) into the row's 4 consecutive scores, one store. Edges (queries beyond
;; a multiple of 4, a last odd row) use a single dot product.
;;
;; build-wasm: shared variant (the worker threads of a parallel search scan the same rows)
(module
  (import "env" "memory" (memory 1))

;; The lane sum (v0 + v2) + (v1 + v3): the order $sum4 adds in, so a score is the same
  ;; bits whether its query went through a tile or an edge (a batch or a single query).
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 2 (local.get $v)))
      (f32.add (f32x4.extract_lane 1 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; [Σa, Σb, Σc, Σd]: the lane sums of four vectors at once.
  (func $sum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $ab v128) (local $cd v128)
    ;; ab = [a0+a2, b0+b2, a1+a3, b1+b3], cd likewise.
    (local.set $ab (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $cd (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab) (local.get $cd))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab) (local.get $cd))))

  ;; x · y over `bytes` bytes (a multiple of 16, at least 16).
  (func $dot (param $x i32) (param $y i32) (param $bytes i32) (result f32)
    (local $acc v128) (local $i i32)
    (loop $next
      (local.set $acc (f32x4.add (local.get $acc)
        (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $bytes))))
    (call $hsum (local.get $acc)))

;; Scores of one query against the rows a and b, stored at o and o + stride; returns
  ;; bit 0 set when row a beats the query's threshold t, bit 1 when row b does.
  (func $edge (param $p i32) (param $a i32) (param $b i32) (param $bytes i32) (param $o i32) (param $stride i32) (param $t f32) (result i32)
    (local $sa f32) (local $sb f32)
    (local.set $sa (call $dot (local.get $p) (local.get $a) (local.get $bytes)))
    (local.set $sb (call $dot (local.get $p) (local.get $b) (local.get $bytes)))
    (f32.store (local.get $o) (local.get $sa))
    (f32.store (i32.add (local.get $o) (local.get $stride)) (local.get $sb))
    (i32.or (f32.gt (local.get $sa) (local.get $t)) (i32.shl (f32.gt (local.get $sb) (local.get $t)) (i32.const 1))))

  (func (export "score_block")
    (param $queries i32) (param $queryCount i32) (param $rows i32) (param $rowCount i32) (param $dim i32) (param $out i32)
    (param $thresholds i32) (param $hits i32) (result i32)
    (local $bytes i32) (local $stride i32) (local $q4 i32) (local $r i32) (local $q i32) (local $i i32) (local $n i32)
    (local $a i32) (local $b i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $o i32)
    (local $hit i32) (local $t v128) (local $sa v128) (local $sb v128) (local $s f32)
    (local $x v128) (local $y v128) (local $v v128)
    (local $s0a v128) (local $s0b v128) (local $s1a v128) (local $s1b v128)
    (local $s2a v128) (local $s2b v128) (local $s3a v128) (local $s3b v128)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    ;; Bytes from one row's scores to the next's.
    (local.set $stride (i32.shl (local.get $queryCount) (i32.const 2)))
    (local.set $q4 (i32.and (local.get $queryCount) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rowCount)))
        (local.set $a (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $b (i32.add (local.get $a) (local.get $bytes)))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $stride))))
        ;; Bit 0: row a beats some query's threshold; bit 1: row b does.
        (local.set $hit (i32.const 0))
        (local.set $q (i32.const 0))
        (block $tilesDone
          (loop $tiles
            (br_if $tilesDone (i32.ge_u (local.get $q) (local.get $q4)))
            (local.set $p0 (i32.add (local.get $queries) (i32.mul (local.get $q) (local.get $bytes))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $bytes)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $bytes)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $bytes)))
            (local.set $s0a (v128.const i32x4 0 0 0 0)) (local.set $s0b (v128.const i32x4 0 0 0 0))
            (local.set $s1a (v128.const i32x4 0 0 0 0)) (local.set $s1b (v128.const i32x4 0 0 0 0))
            (local.set $s2a (v128.const i32x4 0 0 0 0)) (local.set $s2b (v128.const i32x4 0 0 0 0))
            (local.set $s3a (v128.const i32x4 0 0 0 0)) (local.set $s3b (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (loop $steps
              (local.set $x (v128.load (i32.add (local.get $a) (local.get $i))))
              (local.set $y (v128.load (i32.add (local.get $b) (local.get $i))))
              (local.set $v (v128.load (i32.add (local.get $p0) (local.get $i))))
              (local.set $s0a (f32x4.add (local.get $s0a) (f32x4.mul (local.get $v) (local.get $x))))
              (local.set $s0b (f32x4.add (local.get $s0b) (f32x4.mul (local.get $v) (local.get $y))))
              (local.set $v (v128.load (i32.add (local.get $p1) (local.get $i))))
              (local.set $s1a (f32x4.add (local.get $s1a) (f32x4.mul (local.get $v) (local.get $x))))
              (local.set $s1b (f32x4.add (local.get $s1b) (f32x4.mul (local.get $v) (local.get $y))))
              (local.set $v (v128.load (i32.add (local.get $p2) (local.get $i))))
              (local.set $s2a (f32x4.add (local.get $s2a) (f32x4.mul (local.get $v) (local.get $x))))
              (local.set $s2b (f32x4.add (local.get $s2b) (f32x4.mul (local.get $v) (local.get $y))))
              (local.set $v (v128.load (i32.add (local.get $p3) (local.get $i))))
              (local.set $s3a (f32x4.add (local.get $s3a) (f32x4.mul (local.get $v) (local.get $x))))
              (local.set $s3b (f32x4.add (local.get $s3b) (f32x4.mul (local.get $v) (local.get $y))))
              (local.set $i (i32.add (local.get $i) (i32.const 16)))
              (br_if $steps (i32.lt_u (local.get $i) (local.get $bytes))))
            (local.set $sa (call $sum4 (local.get $s0a) (local.get $s1a) (local.get $s2a) (local.get $s3a)))
            (local.set $sb (call $sum4 (local.get $s0b) (local.get $s1b) (local.get $s2b) (local.get $s3b)))
            (v128.store (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2))) (local.get $sa))
            (v128.store (i32.add (i32.add (local.get $o) (local.get $stride)) (i32.shl (local.get $q) (i32.const 2))) (local.get $sb))
            (local.set $t (v128.load (i32.add (local.get $thresholds) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $hit (i32.or (local.get $hit) (i32.or
              (v128.any_true (f32x4.gt (local.get $sa) (local.get $t)))
              (i32.shl (v128.any_true (f32x4.gt (local.get $sb) (local.get $t))) (i32.const 1)))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tiles)))
        ;; The last queryCount % 4 queries, one at a time.
        (block $restDone
          (loop $rest
            (br_if $restDone (i32.ge_u (local.get $q) (local.get $queryCount)))
            (local.set $hit (i32.or (local.get $hit) (call $edge
              (i32.add (local.get $queries) (i32.mul (local.get $q) (local.get $bytes))) (local.get $a) (local.get $b) (local.get $bytes)
              (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2))) (local.get $stride)
              (f32.load (i32.add (local.get $thresholds) (i32.shl (local.get $q) (i32.const 2)))))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $rest)))
        (if (i32.and (local.get $hit) (i32.const 1))
          (then
            (i32.store (i32.add (local.get $hits) (i32.shl (local.get $n) (i32.const 2))) (local.get $r))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (if (i32.and (local.get $hit) (i32.const 2))
          (then
            (i32.store (i32.add (local.get $hits) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $r) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $pairs)))
    ;; A last odd row, against every query.
    (if (i32.lt_u (local.get $r) (local.get $rowCount))
      (then
        (local.set $a (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $hit (i32.const 0))
        (local.set $q (i32.const 0))
        (block $lastDone
          (loop $last
            (br_if $lastDone (i32.ge_u (local.get $q) (local.get $queryCount)))
            (local.set $s (call $dot (i32.add (local.get $queries) (i32.mul (local.get $q) (local.get $bytes))) (local.get $a) (local.get $bytes)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2))) (local.get $s))
            (local.set $hit (i32.or (local.get $hit)
              (f32.gt (local.get $s) (f32.load (i32.add (local.get $thresholds) (i32.shl (local.get $q) (i32.const 2)))))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $last)))
        (if (local.get $hit)
          (then
            (i32.store (i32.add (local.get $hits) (i32.shl (local.get $n) (i32.const 2))) (local.get $r))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
    (local.get $n))
)
