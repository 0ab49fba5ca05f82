;; Mean pooling kernel: sums the weighted rows of one text, four float32 lanes at a
;; time, then takes the mean and optionally L2-normalises it, in place.
;;
;; The caller (src/linalg/wasm/pool-kernel.ts) writes, in this memory:
;;   rows    - `count` i32 byte addresses, one per token: where the token's row starts;
;;   weights - `count` f32 weights, one per token (1 when the model has none);
;;   acc     - `dim` f32 sums, zeroed before the first call for a text.
;; `dim` is a multiple of 4. Rows may be float32, float16 (IEEE half bits) or int8
;; values: one `sum_*` function per table dtype, so the inner loops never branch on it.
;; Each loop takes 16 columns at a time (four accumulators in registers while it walks
;; the text's rows), then 4 at a time for the rest.
;;
;; build-wasm: shared variant
(module
  (import "env" "memory" (memory 1))

  ;; acc[j] += Σ_t weights[t] · row_t[j], float32 rows.
  (func (export "sum_f32") (param $rows i32) (param $weights i32) (param $count i32) (param $dim i32) (param $acc i32)
    (local $col i32) (local $end i32) (local $r i32) (local $w i32) (local $at i32) (local $scale v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $col (i32.const 0))
    (block $narrow
      (loop $wide
        (br_if $narrow (i32.gt_u (i32.add (local.get $col) (i32.const 16)) (local.get $dim)))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))))
        (local.set $a0 (v128.load offset=0 (local.get $at)))
        (local.set $a1 (v128.load offset=16 (local.get $at)))
        (local.set $a2 (v128.load offset=32 (local.get $at)))
        (local.set $a3 (v128.load offset=48 (local.get $at)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 2))))
          (local.set $scale (v128.load32_splat (local.get $w)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load offset=0 (local.get $at)) (local.get $scale))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $at)) (local.get $scale))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $at)) (local.get $scale))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $at)) (local.get $scale))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))))
        (v128.store offset=0 (local.get $at) (local.get $a0))
        (v128.store offset=16 (local.get $at) (local.get $a1))
        (v128.store offset=32 (local.get $at) (local.get $a2))
        (v128.store offset=48 (local.get $at) (local.get $a3))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $wide)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $col) (local.get $dim)))
        (local.set $a0 (v128.load (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2)))))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 2))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $at)) (v128.load32_splat (local.get $w)))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (v128.store (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))) (local.get $a0))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (br $four))))

  ;; acc[j] += Σ_t weights[t] · row_t[j], float16 rows. A half value, sign-extended to an
  ;; i32 lane and shifted left 13, has its sign in bit 31 and exponent and fraction in bits
  ;; 27-13; masking the rest and multiplying by 2^112 (rebiasing the exponent from 15 to 127)
  ;; gives its exact float32 value, subnormals included. Tables are finite (checked at load).
  (func (export "sum_f16") (param $rows i32) (param $weights i32) (param $count i32) (param $dim i32) (param $acc i32)
    (local $col i32) (local $end i32) (local $r i32) (local $w i32) (local $at i32) (local $scale v128)
    (local $mask v128) (local $rebias v128) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $mask (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
    (local.set $rebias (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $col (i32.const 0))
    (block $narrow
      (loop $wide
        (br_if $narrow (i32.gt_u (i32.add (local.get $col) (i32.const 16)) (local.get $dim)))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))))
        (local.set $a0 (v128.load offset=0 (local.get $at)))
        (local.set $a1 (v128.load offset=16 (local.get $at)))
        (local.set $a2 (v128.load offset=32 (local.get $at)))
        (local.set $a3 (v128.load offset=48 (local.get $at)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 1))))
          (local.set $scale (v128.load32_splat (local.get $w)))
          (local.set $v (v128.load offset=0 (local.get $at)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
            (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
            (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
          (local.set $v (v128.load offset=16 (local.get $at)))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
            (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $scale) (f32x4.mul (local.get $rebias)
            (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $v)) (i32.const 13)) (local.get $mask))))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))))
        (v128.store offset=0 (local.get $at) (local.get $a0))
        (v128.store offset=16 (local.get $at) (local.get $a1))
        (v128.store offset=32 (local.get $at) (local.get $a2))
        (v128.store offset=48 (local.get $at) (local.get $a3))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $wide)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $col) (local.get $dim)))
        (local.set $a0 (v128.load (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2)))))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (i32.shl (local.get $col) (i32.const 1))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $w)) (f32x4.mul (local.get $rebias)
            (v128.and (i32x4.shl (v128.load16x4_s (local.get $at)) (i32.const 13)) (local.get $mask))))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (v128.store (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))) (local.get $a0))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (br $four))))

  ;; acc[j] += Σ_t weights[t] · row_t[j], int8 rows (the raw integers: Python keeps no scale).
  (func (export "sum_i8") (param $rows i32) (param $weights i32) (param $count i32) (param $dim i32) (param $acc i32)
    (local $col i32) (local $end i32) (local $r i32) (local $w i32) (local $at i32) (local $scale v128)
    (local $v v128) (local $half v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $col (i32.const 0))
    (block $narrow
      (loop $wide
        (br_if $narrow (i32.gt_u (i32.add (local.get $col) (i32.const 16)) (local.get $dim)))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))))
        (local.set $a0 (v128.load offset=0 (local.get $at)))
        (local.set $a1 (v128.load offset=16 (local.get $at)))
        (local.set $a2 (v128.load offset=32 (local.get $at)))
        (local.set $a3 (v128.load offset=48 (local.get $at)))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $scale (v128.load32_splat (local.get $w)))
          (local.set $v (v128.load (i32.add (i32.load (local.get $r)) (local.get $col))))
          (local.set $half (i16x8.extend_low_i8x16_s (local.get $v)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $half))))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $half))))))
          (local.set $half (i16x8.extend_high_i8x16_s (local.get $v)))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $half))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $half))))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (local.set $at (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))))
        (v128.store offset=0 (local.get $at) (local.get $a0))
        (v128.store offset=16 (local.get $at) (local.get $a1))
        (v128.store offset=32 (local.get $at) (local.get $a2))
        (v128.store offset=48 (local.get $at) (local.get $a3))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $wide)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $col) (local.get $dim)))
        (local.set $a0 (v128.load (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2)))))
        (local.set $r (local.get $rows))
        (local.set $w (local.get $weights))
        (loop $tokens
          (local.set $at (i32.add (i32.load (local.get $r)) (local.get $col)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $w))
            (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (v128.load32_zero (local.get $at))))))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 4)))
          (br_if $tokens (i32.lt_u (local.get $r) (local.get $end))))
        (v128.store (i32.add (local.get $acc) (i32.shl (local.get $col) (i32.const 2))) (local.get $a0))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (br $four))))

  ;; acc = acc / count, then × 1 / (‖acc‖ + 1e-32) when `normalize` is set (Python's
  ;; formula, so a zero vector stays zero). The norm's squares add up in float64.
  (func (export "finish") (param $acc i32) (param $dim i32) (param $count i32) (param $normalize i32)
    (local $at i32) (local $end i32) (local $v v128) (local $squares v128) (local $scale v128) (local $norm f64)
    (local.set $end (i32.add (local.get $acc) (i32.shl (local.get $dim) (i32.const 2))))
    (local.set $scale (f32x4.splat (f32.convert_i32_u (local.get $count))))
    (local.set $squares (v128.const f64x2 0 0))
    (local.set $at (local.get $acc))
    (block $done
      (loop $mean
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $v (f32x4.div (v128.load (local.get $at)) (local.get $scale)))
        (v128.store (local.get $at) (local.get $v))
        (local.set $squares (f64x2.add (local.get $squares) (f64x2.mul
          (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)))))
        (local.set $v (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
        (local.set $squares (f64x2.add (local.get $squares) (f64x2.mul
          (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $mean)))
    (if (i32.eqz (local.get $normalize)) (then (return)))
    (local.set $norm (f64.add (f64x2.extract_lane 0 (local.get $squares)) (f64x2.extract_lane 1 (local.get $squares))))
    (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (f64.add (f64.sqrt (local.get $norm)) (f64.const 1e-32))))))
    (local.set $at (local.get $acc))
    (block $scaled
      (loop $normalise
        (br_if $scaled (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store (local.get $at) (f32x4.mul (v128.load (local.get $at)) (local.get $scale)))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $normalise))))
)
