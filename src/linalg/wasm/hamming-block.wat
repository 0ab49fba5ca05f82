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
;; Scalar i64.popcnt rather than i8x16.popcnt: it is the CPU's popcount instruction, where the
;; SIMD one is table lookups plus a horizontal sum per query (1.5x slower at 256 bits, measured).
;; 4 queries per row at a time; 256-bit codes (the common width) keep the row's four words in
;; locals and read each query's at constant offsets, other widths loop over 128-bit steps.
;; (Written out, not called: V8 does not inline calls between WebAssembly functions.)
(module
  (import "env" "memory" (memory 1))

  ;; popcount(x xor y) over `bytes` bytes (a multiple of 8).
  (func $distance (param $x i32) (param $y i32) (param $bytes i32) (result i32)
    (local $sum i64) (local $i i32)
    (loop $next
      (local.set $sum (i64.add (local.get $sum) (i64.popcnt
        (i64.xor (i64.load (i32.add (local.get $x) (local.get $i))) (i64.load (i32.add (local.get $y) (local.get $i)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $bytes))))
    (i32.wrap_i64 (local.get $sum)))

  (func (export "score_block")
    (param $queries i32) (param $queryCount i32) (param $rows i32) (param $rowCount i32) (param $words i32) (param $out i32)
    (param $thresholds i32) (param $hits i32) (result i32)
    (local $n i32) (local $hit i32) (local $score v128) (local $s f32)
    (local $bytes i32) (local $bits v128) (local $q4 i32) (local $r i32) (local $q i32) (local $i i32)
    (local $a i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $o i32)
    (local $x i64) (local $y i64) (local $w0 i64) (local $w1 i64) (local $w2 i64) (local $w3 i64)
    (local $d0 i64) (local $d1 i64) (local $d2 i64) (local $d3 i64)
    (local.set $bytes (i32.shl (local.get $words) (i32.const 2)))
    (local.set $bits (i32x4.splat (i32.shl (local.get $words) (i32.const 5))))
    (local.set $q4 (i32.and (local.get $queryCount) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rowCount)))
        (local.set $a (i32.add (local.get $rows) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $queryCount)) (i32.const 2))))
        (if (i32.eq (local.get $bytes) (i32.const 32))
          (then
            (local.set $w0 (i64.load (local.get $a))) (local.set $w1 (i64.load offset=8 (local.get $a)))
            (local.set $w2 (i64.load offset=16 (local.get $a))) (local.set $w3 (i64.load offset=24 (local.get $a)))))
        (local.set $hit (i32.const 0))
        (local.set $q (i32.const 0))
        (block $tilesDone
          (loop $tiles
            (br_if $tilesDone (i32.ge_u (local.get $q) (local.get $q4)))
            (local.set $p0 (i32.add (local.get $queries) (i32.mul (local.get $q) (local.get $bytes))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $bytes)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $bytes)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $bytes)))
            (if (i32.eq (local.get $bytes) (i32.const 32))
              (then
                (local.set $d0 (i64.add
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w0) (i64.load (local.get $p0))))
                    (i64.popcnt (i64.xor (local.get $w1) (i64.load offset=8 (local.get $p0)))))
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w2) (i64.load offset=16 (local.get $p0))))
                    (i64.popcnt (i64.xor (local.get $w3) (i64.load offset=24 (local.get $p0)))))))
                (local.set $d1 (i64.add
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w0) (i64.load (local.get $p1))))
                    (i64.popcnt (i64.xor (local.get $w1) (i64.load offset=8 (local.get $p1)))))
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w2) (i64.load offset=16 (local.get $p1))))
                    (i64.popcnt (i64.xor (local.get $w3) (i64.load offset=24 (local.get $p1)))))))
                (local.set $d2 (i64.add
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w0) (i64.load (local.get $p2))))
                    (i64.popcnt (i64.xor (local.get $w1) (i64.load offset=8 (local.get $p2)))))
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w2) (i64.load offset=16 (local.get $p2))))
                    (i64.popcnt (i64.xor (local.get $w3) (i64.load offset=24 (local.get $p2)))))))
                (local.set $d3 (i64.add
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w0) (i64.load (local.get $p3))))
                    (i64.popcnt (i64.xor (local.get $w1) (i64.load offset=8 (local.get $p3)))))
                  (i64.add
                    (i64.popcnt (i64.xor (local.get $w2) (i64.load offset=16 (local.get $p3))))
                    (i64.popcnt (i64.xor (local.get $w3) (i64.load offset=24 (local.get $p3))))))))
              (else
                (local.set $d0 (i64.const 0)) (local.set $d1 (i64.const 0))
                (local.set $d2 (i64.const 0)) (local.set $d3 (i64.const 0))
                (local.set $i (i32.const 0))
                (loop $chunks
                  (local.set $x (i64.load (i32.add (local.get $a) (local.get $i))))
                  (local.set $y (i64.load offset=8 (i32.add (local.get $a) (local.get $i))))
                  (local.set $d0 (i64.add (local.get $d0) (i64.add
                    (i64.popcnt (i64.xor (local.get $x) (i64.load (i32.add (local.get $p0) (local.get $i)))))
                    (i64.popcnt (i64.xor (local.get $y) (i64.load offset=8 (i32.add (local.get $p0) (local.get $i))))))))
                  (local.set $d1 (i64.add (local.get $d1) (i64.add
                    (i64.popcnt (i64.xor (local.get $x) (i64.load (i32.add (local.get $p1) (local.get $i)))))
                    (i64.popcnt (i64.xor (local.get $y) (i64.load offset=8 (i32.add (local.get $p1) (local.get $i))))))))
                  (local.set $d2 (i64.add (local.get $d2) (i64.add
                    (i64.popcnt (i64.xor (local.get $x) (i64.load (i32.add (local.get $p2) (local.get $i)))))
                    (i64.popcnt (i64.xor (local.get $y) (i64.load offset=8 (i32.add (local.get $p2) (local.get $i))))))))
                  (local.set $d3 (i64.add (local.get $d3) (i64.add
                    (i64.popcnt (i64.xor (local.get $x) (i64.load (i32.add (local.get $p3) (local.get $i)))))
                    (i64.popcnt (i64.xor (local.get $y) (i64.load offset=8 (i32.add (local.get $p3) (local.get $i))))))))
                  (local.set $i (i32.add (local.get $i) (i32.const 16)))
                  (br_if $chunks (i32.lt_u (local.get $i) (local.get $bytes))))))
            ;; bits - 2 · distance, as floats.
            (local.set $score (f32x4.convert_i32x4_s (i32x4.sub (local.get $bits) (i32x4.shl
              (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
                (i32x4.splat (i32.wrap_i64 (local.get $d0)))
                (i32.wrap_i64 (local.get $d1))) (i32.wrap_i64 (local.get $d2))) (i32.wrap_i64 (local.get $d3)))
              (i32.const 1)))))
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
