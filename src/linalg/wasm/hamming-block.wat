;; Binary-code kernel of the quantized search: for a batch of query codes and a block of
;; row codes (one bit per dimension, 1 where the value is positive), the agreement score
;; bits - 2 · popcount(query xor row), i.e. (agreeing bits) - (differing bits).
;;
;; The caller (src/search/binary-codes.ts) keeps, in this memory:
;;   queries - `queryCount` codes of `words` i32 each;
;;   rows    - `rowCount` codes of `words` i32 each, a block of the index's codes;
;;   out     - `rowCount × queryCount` f32 scores: out[r * queryCount + q];
;;   thresholds - `queryCount` f32: the score each query's shortlist must beat so far;
;;   hits    - room for `rowCount` i32: the rows (0-based in the block, increasing) where some
;;             query beats its threshold; `score_block` returns how many there are.
;; `words` is a positive multiple of 4 (codes are padded with zero bits to 128-bit chunks).
;;
;; 4 queries per row at a time: per 128-bit chunk, xor, i8x16.popcnt and a widening add into
;; i16 lanes (no overflow below 4096 bits); the 4 sums reduce together by a shuffle transpose.
(module
  (import "env" "memory" (memory 1))

  ;; [Σa, Σb, Σc, Σd] of the i16 lanes of four vectors, as i32 lanes.
  (func $sum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $ab v128) (local $cd v128)
    (local.set $a (i32x4.extadd_pairwise_i16x8_u (local.get $a)))
    (local.set $b (i32x4.extadd_pairwise_i16x8_u (local.get $b)))
    (local.set $c (i32x4.extadd_pairwise_i16x8_u (local.get $c)))
    (local.set $d (i32x4.extadd_pairwise_i16x8_u (local.get $d)))
    (local.set $ab (i32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $cd (i32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
    (i32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ab) (local.get $cd))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ab) (local.get $cd))))

  ;; popcount(x xor y) over `bytes` bytes (a multiple of 16, at least 16).
  (func $distance (param $x i32) (param $y i32) (param $bytes i32) (result i32)
    (local $acc v128) (local $i i32)
    (loop $next
      (local.set $acc (i16x8.add (local.get $acc) (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt
        (v128.xor (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $bytes))))
    (local.set $acc (i32x4.extadd_pairwise_i16x8_u (local.get $acc)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))

  (func (export "score_block")
    (param $queries i32) (param $queryCount i32) (param $rows i32) (param $rowCount i32) (param $words i32) (param $out i32)
    (param $thresholds i32) (param $hits i32) (result i32)
    (local $n i32) (local $hit i32) (local $score v128) (local $s f32)
    (local $bytes i32) (local $bits v128) (local $q4 i32) (local $r i32) (local $q i32) (local $i i32)
    (local $a i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $o i32) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $bytes (i32.shl (local.get $words) (i32.const 2)))
    (local.set $bits (i32x4.splat (i32.shl (local.get $words) (i32.const 5))))
    (local.set $q4 (i32.and (local.get $queryCount) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rowCount)))
        (local.set $a (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $queryCount)) (i32.const 2))))
        (local.set $hit (i32.const 0))
        (local.set $q (i32.const 0))
        (block $tilesDone
          (loop $tiles
            (br_if $tilesDone (i32.ge_u (local.get $q) (local.get $q4)))
            (local.set $p0 (i32.add (local.get $queries) (i32.mul (local.get $q) (local.get $bytes))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $bytes)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $bytes)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $bytes)))
            (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (loop $chunks
              (local.set $x (v128.load (i32.add (local.get $a) (local.get $i))))
              (local.set $c0 (i16x8.add (local.get $c0) (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt
                (v128.xor (local.get $x) (v128.load (i32.add (local.get $p0) (local.get $i))))))))
              (local.set $c1 (i16x8.add (local.get $c1) (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt
                (v128.xor (local.get $x) (v128.load (i32.add (local.get $p1) (local.get $i))))))))
              (local.set $c2 (i16x8.add (local.get $c2) (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt
                (v128.xor (local.get $x) (v128.load (i32.add (local.get $p2) (local.get $i))))))))
              (local.set $c3 (i16x8.add (local.get $c3) (i16x8.extadd_pairwise_i8x16_u (i8x16.popcnt
                (v128.xor (local.get $x) (v128.load (i32.add (local.get $p3) (local.get $i))))))))
              (local.set $i (i32.add (local.get $i) (i32.const 16)))
              (br_if $chunks (i32.lt_u (local.get $i) (local.get $bytes))))
            ;; bits - 2 · distance, as floats.
            (local.set $score (f32x4.convert_i32x4_s (i32x4.sub (local.get $bits)
              (i32x4.shl (call $sum4 (local.get $c0) (local.get $c1) (local.get $c2) (local.get $c3)) (i32.const 1)))))
            (v128.store (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2))) (local.get $score))
            (local.set $hit (i32.or (local.get $hit) (v128.any_true (f32x4.gt (local.get $score)
              (v128.load (i32.add (local.get $thresholds) (i32.shl (local.get $q) (i32.const 2))))))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $tiles)))
        ;; The last queryCount % 4 queries, one at a time.
        (block $restDone
          (loop $rest
            (br_if $restDone (i32.ge_u (local.get $q) (local.get $queryCount)))
            (local.set $s (f32.convert_i32_s (i32.sub (i32.shl (local.get $words) (i32.const 5)) (i32.shl
              (call $distance (local.get $a) (i32.add (local.get $queries) (i32.mul (local.get $q) (local.get $bytes))) (local.get $bytes))
              (i32.const 1)))))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2))) (local.get $s))
            (local.set $hit (i32.or (local.get $hit)
              (f32.gt (local.get $s) (f32.load (i32.add (local.get $thresholds) (i32.shl (local.get $q) (i32.const 2)))))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $rest)))
        (if (local.get $hit)
          (then
            (i32.store (i32.add (local.get $hits) (i32.shl (local.get $n) (i32.const 2))) (local.get $r))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $eachRow)))
    (local.get $n))
)
