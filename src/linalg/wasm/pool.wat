;; Mean pooling kernel: sums the weighted rows of a text with f32x4 lanes, then takes
;; the mean and optionally L2-normalises it; `pool_texts` does a whole batch of texts.
;;
;; The caller (src/model/pooling.ts, through pool-memory.ts) writes, in this memory:
;;   rows    - `count` i32 byte addresses, one per token: where the token's row starts;
;;   weights - `count` f32 weights, one per token (1s when the model has none);
;;   sums    - `dim` f64 sums, zero before the first call for a text (`finish` leaves them so);
;;   offsets - for pool_texts, where each text's tokens start in `rows`.
;; `dim` is a multiple of 4. Rows hold float32, float16 (IEEE half bits) or int8 values:
;; one `sum_*` function per table dtype, so the inner loops never branch on it.
;;
;; Sixteen columns at a time, the loop walks the text's rows with four f32x4 partial sums
;; in registers; every 32 tokens the partials are added into the float64 sums. Float32
;; partials of 32 terms keep the result within about 1e-7 (relative, L2) of a float64
;; accumulation at any text length, where float32 all the way drifts past 1e-6 beyond a
;; few hundred tokens. Flushing every 8 tokens was as exact (7e-8) and 20% slower on
;; sentences. Columns past the last multiple of 16 go four at a time, straight into the
;; float64 sums.
;;
;; build-wasm: shared variant
(module
  (import "env" "memory" (memory 1))

  ;; sums[j] += Σ_t weights[t] · row_t[j], float32 rows.
  (func $sum_f32 (export "sum_f32") (param $rows i32) (param $weights i32) (param $count i32) (param $dim i32) (param $sums i32)
    (local $col i32) (local $end i32) (local $stop i32) (local $r i32) (local $w i32) (local $at i32) (local $scale v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $col (i32.const 0))
    (block $narrow
      (loop $wide
        (br_if $narrow (i32.gt_u (i32.add (local.get $col) (i32.const 16)) (local.get $dim)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $chunks
          ;; stop = min(r + 32 tokens, end)
          (local.set $stop (i32.add (local.get $r) (i32.const 128)))
          (local.set $stop (select (local.get $stop) (local.get $end) (i32.lt_u (local.get $stop) (local.get $end))))
          (local.set $p0 (v128.const i64x2 0 0))
          (local.set $p1 (v128.const i64x2 0 0))
          (local.set $p2 (v128.const i64x2 0 0))
          (local.set $p3 (v128.const i64x2 0 0))
          (loop $tokens
            (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 2))))
            (local.set $scale (v128.load32_splat (local.get $w)))
            (local.set $p0 (f32x4.add (local.get $p0) (f32x4.mul (local.get $scale) (v128.load offset=0 (local.get $at)))))
            (local.set $p1 (f32x4.add (local.get $p1) (f32x4.mul (local.get $scale) (v128.load offset=16 (local.get $at)))))
            (local.set $p2 (f32x4.add (local.get $p2) (f32x4.mul (local.get $scale) (v128.load offset=32 (local.get $at)))))
            (local.set $p3 (f32x4.add (local.get $p3) (f32x4.mul (local.get $scale) (v128.load offset=48 (local.get $at)))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (br_if $tokens (i32.lt_u (local.get $r) (local.get $stop))))
          (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $col) (i32.const 3))))
          (v128.store offset=0 (local.get $at) (f64x2.add (v128.load offset=0 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p0))))
          (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p0) (local.get $p0)))))
          (v128.store offset=32 (local.get $at) (f64x2.add (v128.load offset=32 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p1))))
          (v128.store offset=48 (local.get $at) (f64x2.add (v128.load offset=48 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p1) (local.get $p1)))))
          (v128.store offset=64 (local.get $at) (f64x2.add (v128.load offset=64 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p2))))
          (v128.store offset=80 (local.get $at) (f64x2.add (v128.load offset=80 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p2) (local.get $p2)))))
          (v128.store offset=96 (local.get $at) (f64x2.add (v128.load offset=96 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p3))))
          (v128.store offset=112 (local.get $at) (f64x2.add (v128.load offset=112 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p3) (local.get $p3)))))
          (br_if $chunks (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $wide)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $col) (local.get $dim)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 2))))
          (local.set $p0 (f32x4.mul (v128.load32_splat (local.get $w)) (v128.load (local.get $at))))
          (call $add4 (i32.add (local.get $sums) (i32.shl (local.get $col) (i32.const 3))) (local.get $p0))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (br $four))))

  ;; sums[j] += Σ_t weights[t] · row_t[j], float16 rows. A half value, sign-extended to an
  ;; i32 lane and shifted left 13, has its sign in bit 31 and exponent and fraction in bits
  ;; 27-13; masking the rest and multiplying by 2^112 (rebiasing the exponent from 15 to 127)
  ;; gives its exact float32 value, subnormals included. Tables are finite (checked at load).
  (func $sum_f16 (export "sum_f16") (param $rows i32) (param $weights i32) (param $count i32) (param $dim i32) (param $sums i32)
    (local $col i32) (local $end i32) (local $stop i32) (local $r i32) (local $w i32) (local $at i32) (local $scale v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $mask v128) (local $rebias v128) (local $v v128)
    (local.set $mask (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
    (local.set $rebias (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $col (i32.const 0))
    (block $narrow
      (loop $wide
        (br_if $narrow (i32.gt_u (i32.add (local.get $col) (i32.const 16)) (local.get $dim)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $chunks
          ;; stop = min(r + 32 tokens, end)
          (local.set $stop (i32.add (local.get $r) (i32.const 128)))
          (local.set $stop (select (local.get $stop) (local.get $end) (i32.lt_u (local.get $stop) (local.get $end))))
          (local.set $p0 (v128.const i64x2 0 0))
          (local.set $p1 (v128.const i64x2 0 0))
          (local.set $p2 (v128.const i64x2 0 0))
          (local.set $p3 (v128.const i64x2 0 0))
          (loop $tokens
            (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 1))))
            (local.set $scale (v128.load32_splat (local.get $w)))
            (local.set $v (v128.load offset=0 (local.get $at)))
            (local.set $p0 (f32x4.add (local.get $p0) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
              (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
            (local.set $p1 (f32x4.add (local.get $p1) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
              (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
            (local.set $v (v128.load offset=16 (local.get $at)))
            (local.set $p2 (f32x4.add (local.get $p2) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
              (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
            (local.set $p3 (f32x4.add (local.get $p3) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
              (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (br_if $tokens (i32.lt_u (local.get $r) (local.get $stop))))
          (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $col) (i32.const 3))))
          (v128.store offset=0 (local.get $at) (f64x2.add (v128.load offset=0 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p0))))
          (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p0) (local.get $p0)))))
          (v128.store offset=32 (local.get $at) (f64x2.add (v128.load offset=32 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p1))))
          (v128.store offset=48 (local.get $at) (f64x2.add (v128.load offset=48 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p1) (local.get $p1)))))
          (v128.store offset=64 (local.get $at) (f64x2.add (v128.load offset=64 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p2))))
          (v128.store offset=80 (local.get $at) (f64x2.add (v128.load offset=80 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p2) (local.get $p2)))))
          (v128.store offset=96 (local.get $at) (f64x2.add (v128.load offset=96 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p3))))
          (v128.store offset=112 (local.get $at) (f64x2.add (v128.load offset=112 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p3) (local.get $p3)))))
          (br_if $chunks (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $wide)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $col) (local.get $dim)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 1))))
          (local.set $p0 (f32x4.mul (v128.load32_splat (local.get $w)) (f32x4.mul (local.get $rebias)
            (v128.and (i32x4.shl (v128.load16x4_s (local.get $at)) (i32.const 13)) (local.get $mask)))))
          (call $add4 (i32.add (local.get $sums) (i32.shl (local.get $col) (i32.const 3))) (local.get $p0))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (br $four))))

  ;; sums[j] += Σ_t weights[t] · row_t[j], int8 rows (the raw integers: Python keeps no scale).
  (func $sum_i8 (export "sum_i8") (param $rows i32) (param $weights i32) (param $count i32) (param $dim i32) (param $sums i32)
    (local $col i32) (local $end i32) (local $stop i32) (local $r i32) (local $w i32) (local $at i32) (local $scale v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $v v128) (local $half v128)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $col (i32.const 0))
    (block $narrow
      (loop $wide
        (br_if $narrow (i32.gt_u (i32.add (local.get $col) (i32.const 16)) (local.get $dim)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $chunks
          ;; stop = min(r + 32 tokens, end)
          (local.set $stop (i32.add (local.get $r) (i32.const 128)))
          (local.set $stop (select (local.get $stop) (local.get $end) (i32.lt_u (local.get $stop) (local.get $end))))
          (local.set $p0 (v128.const i64x2 0 0))
          (local.set $p1 (v128.const i64x2 0 0))
          (local.set $p2 (v128.const i64x2 0 0))
          (local.set $p3 (v128.const i64x2 0 0))
          (loop $tokens
            (local.set $at (i32.add (i32.load (local.get $r)) (local.get $col)))
            (local.set $scale (v128.load32_splat (local.get $w)))
            (local.set $v (v128.load (local.get $at)))
            (local.set $half (i16x8.extend_low_i8x16_s (local.get $v)))
            (local.set $p0 (f32x4.add (local.get $p0) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $half))))))
            (local.set $p1 (f32x4.add (local.get $p1) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $half))))))
            (local.set $half (i16x8.extend_high_i8x16_s (local.get $v)))
            (local.set $p2 (f32x4.add (local.get $p2) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $half))))))
            (local.set $p3 (f32x4.add (local.get $p3) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $half))))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (br_if $tokens (i32.lt_u (local.get $r) (local.get $stop))))
          (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $col) (i32.const 3))))
          (v128.store offset=0 (local.get $at) (f64x2.add (v128.load offset=0 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p0))))
          (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p0) (local.get $p0)))))
          (v128.store offset=32 (local.get $at) (f64x2.add (v128.load offset=32 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p1))))
          (v128.store offset=48 (local.get $at) (f64x2.add (v128.load offset=48 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p1) (local.get $p1)))))
          (v128.store offset=64 (local.get $at) (f64x2.add (v128.load offset=64 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p2))))
          (v128.store offset=80 (local.get $at) (f64x2.add (v128.load offset=80 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p2) (local.get $p2)))))
          (v128.store offset=96 (local.get $at) (f64x2.add (v128.load offset=96 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p3))))
          (v128.store offset=112 (local.get $at) (f64x2.add (v128.load offset=112 (local.get $at))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p3) (local.get $p3)))))
          (br_if $chunks (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $wide)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $col) (local.get $dim)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (local.get $col)))
          (local.set $p0 (f32x4.mul (v128.load32_splat (local.get $w)) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (v128.load32_zero (local.get $at)))))))
          (call $add4 (i32.add (local.get $sums) (i32.shl (local.get $col) (i32.const 3))) (local.get $p0))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (br $four))))

  ;; The float64 sums at `at` += four float32 lanes.
  (func $add4 (param $at i32) (param $p v128)
    (v128.store offset=0 (local.get $at) (f64x2.add (v128.load offset=0 (local.get $at)) (f64x2.promote_low_f32x4 (local.get $p))))
    (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p))))))

  ;; Pools `texts` texts in one call: text k owns the tokens [offsets[k], offsets[k + 1]) of
  ;; `rows` and `weights` (addresses and weights as for the sum functions; offsets are token
  ;; indices, `texts + 1` i32s) and gets `dim` float32s at out + k · dim · 4, a zero vector
  ;; when it has no tokens. `dtype` picks the sum: 0 float32, 1 float16, 2 int8. `sums`
  ;; is scratch for `dim` f64s, zero on entry (and on return). One call per batch instead
  ;; of two per text saves the per-text trips between JavaScript and WebAssembly.
  (func (export "pool_texts") (param $dtype i32) (param $rows i32) (param $weights i32) (param $offsets i32) (param $texts i32)
    (param $dim i32) (param $normalize i32) (param $sums i32) (param $out i32)
    (local $end i32) (local $start i32) (local $count i32) (local $at i32) (local $rowBytes i32)
    (local.set $end (i32.add (local.get $offsets) (i32.shl (local.get $texts) (i32.const 2))))
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $pooled
      (loop $text
        (br_if $pooled (i32.ge_u (local.get $offsets) (local.get $end)))
        (local.set $start (i32.load (local.get $offsets)))
        (local.set $count (i32.sub (i32.load offset=4 (local.get $offsets)) (local.get $start)))
        (if (local.get $count)
          (then
            (local.set $at (i32.shl (local.get $start) (i32.const 2)))
            (if (i32.eqz (local.get $dtype))
              (then (call $sum_f32 (i32.add (local.get $rows) (local.get $at)) (i32.add (local.get $weights) (local.get $at))
                (local.get $count) (local.get $dim) (local.get $sums)))
              (else (if (i32.eq (local.get $dtype) (i32.const 1))
                (then (call $sum_f16 (i32.add (local.get $rows) (local.get $at)) (i32.add (local.get $weights) (local.get $at))
                  (local.get $count) (local.get $dim) (local.get $sums)))
                (else (call $sum_i8 (i32.add (local.get $rows) (local.get $at)) (i32.add (local.get $weights) (local.get $at))
                  (local.get $count) (local.get $dim) (local.get $sums))))))
            (call $finish (local.get $sums) (local.get $dim) (local.get $count) (local.get $normalize) (local.get $out)))
          (else (call $zero (local.get $out) (local.get $rowBytes))))
        (local.set $offsets (i32.add (local.get $offsets) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (br $text))))

  ;; Zeroes `bytes` bytes (a multiple of 16) from `at`.
  (func $zero (param $at i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $at) (local.get $bytes)))
    (block $done
      (loop $clear
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (local.get $at) (v128.const i64x2 0 0))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $clear))))

  ;; out[j] = f32(sums_j · scale), scale = 1 / count, or with `normalize` set
  ;; 1 / (count · (‖sums‖ / count + 1e-32)): the mean divided by (‖mean‖ + 1e-32), Python's
  ;; formula (a zero vector stays zero), with one float64 division per text instead of one
  ;; per column. The squares go into two accumulators, halving the chain of dependent adds.
  ;; Leaves the sums zeroed, ready for the next text.
  (func $finish (export "finish") (param $sums i32) (param $dim i32) (param $count i32) (param $normalize i32) (param $out i32)
    (local $at i32) (local $end i32) (local $to i32) (local $v v128) (local $squares v128) (local $squares2 v128) (local $n f64) (local $scale f64)
    (local.set $end (i32.add (local.get $sums) (i32.shl (local.get $dim) (i32.const 3))))
    (local.set $n (f64.convert_i32_u (local.get $count)))
    (local.set $scale (f64.div (f64.const 1) (local.get $n)))
    (if (local.get $normalize)
      (then
        (local.set $squares (v128.const f64x2 0 0))
        (local.set $squares2 (v128.const f64x2 0 0))
        (local.set $at (local.get $sums))
        ;; `dim` is a multiple of 4: the sums come in whole 32-byte steps.
        (block $done
          (loop $square
            (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
            (local.set $v (v128.load offset=0 (local.get $at)))
            (local.set $squares (f64x2.add (local.get $squares) (f64x2.mul (local.get $v) (local.get $v))))
            (local.set $v (v128.load offset=16 (local.get $at)))
            (local.set $squares2 (f64x2.add (local.get $squares2) (f64x2.mul (local.get $v) (local.get $v))))
            (local.set $at (i32.add (local.get $at) (i32.const 32)))
            (br $square)))
        (local.set $squares (f64x2.add (local.get $squares) (local.get $squares2)))
        (local.set $scale (f64.div (f64.const 1) (f64.mul (local.get $n) (f64.add
          (f64.div (f64.sqrt (f64.add (f64x2.extract_lane 0 (local.get $squares)) (f64x2.extract_lane 1 (local.get $squares)))) (local.get $n))
          (f64.const 1e-32)))))))
    (local.set $v (f64x2.splat (local.get $scale)))
    (local.set $at (local.get $sums))
    (local.set $to (local.get $out))
    (block $written
      (loop $write
        (br_if $written (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store64_lane 0 (local.get $to) (f32x4.demote_f64x2_zero (f64x2.mul (v128.load (local.get $at)) (local.get $v))))
        (v128.store (local.get $at) (v128.const i64x2 0 0))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $to (i32.add (local.get $to) (i32.const 8)))
        (br $write))))
)
