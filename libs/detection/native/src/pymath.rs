//! CPython's float semantics where Rust's differ, so both paths compute the same bits.
//!
//! `max`/`min` return the first argument unless the second is strictly greater/less
//! (signed zeros included); `hypot` is CPython 3.11's `vector_norm` for two values
//! (not libm's); `pow` calls libm's `pow` as CPython's `**` does, with its arguments
//! hidden from the optimiser (LLVM rewrites `pow(x, 2.0)` to `x * x` and `pow(2.0, x)`
//! to `exp2(x)`, which can differ in the last bit).

use std::hint::black_box;

/// Python's `max(a, b)` on floats.
pub fn max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)` on floats.
pub fn min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// Python's `x ** y` on finite floats (libm `pow`).
pub fn pow(x: f64, y: f64) -> f64 {
    black_box(x).powf(black_box(y))
}

/// Python's `x % y` for `x >= 0`, `y > 0` (the only case used).
pub fn modulo(x: f64, y: f64) -> f64 {
    let remainder = x % y;
    if remainder == 0.0 {
        0.0
    } else {
        remainder
    }
}

/// `math.radians`.
pub fn radians(degrees: f64) -> f64 {
    degrees * (std::f64::consts::PI / 180.0)
}

/// Error-free product (Ogita, Rump, Oishi, algorithm 3.5), with a fused multiply-add.
fn mul_exact(x: f64, y: f64) -> (f64, f64) {
    let product = x * y;
    (product, x.mul_add(y, -product))
}

/// Error-free sum of `a + b` when `|a| >= |b|` (algorithm 1.1).
fn sum_fast(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    (sum, (a - sum) + b)
}

/// `math.hypot(x, y)` for finite values, as CPython 3.11 computes it.
pub fn hypot(x: f64, y: f64) -> f64 {
    let (x, y) = (x.abs(), y.abs());
    let largest = max(max(0.0, x), y);
    if largest == 0.0 {
        return largest;
    }
    let mut exponent = 0;
    let _ = frexp(largest, &mut exponent);
    if exponent < -1023 {
        return f64::MIN_POSITIVE * hypot(x / f64::MIN_POSITIVE, y / f64::MIN_POSITIVE);
    }
    let scale = ldexp(1.0, -exponent);
    let (mut csum, mut frac1, mut frac2) = (1.0, 0.0, 0.0);
    for value in [x, y] {
        let scaled = value * scale;
        let (hi, lo) = mul_exact(scaled, scaled);
        let (sum, error) = sum_fast(csum, hi);
        csum = sum;
        frac1 += lo;
        frac2 += error;
    }
    let mut h = (csum - 1.0 + (frac1 + frac2)).sqrt();
    let (hi, lo) = mul_exact(-h, h);
    let (sum, error) = sum_fast(csum, hi);
    csum = sum;
    frac1 += lo;
    frac2 += error;
    let correction = csum - 1.0 + (frac1 + frac2);
    h += correction / (2.0 * h);
    h / scale
}

/// C's `frexp`: the binary exponent `e` with `value = m * 2**e`, `0.5 <= |m| < 1`.
fn frexp(value: f64, exponent: &mut i32) -> f64 {
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // subnormal: normalise first
        let scaled = value * f64::from_bits(0x4350_0000_0000_0000); // 2**54
        let mantissa = frexp(scaled, exponent);
        *exponent -= 54;
        return mantissa;
    }
    *exponent = biased - 1022;
    f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52))
}

/// C's `ldexp` for the exponents `hypot` needs (a power of two, exact).
fn ldexp(value: f64, exponent: i32) -> f64 {
    let mut result = value;
    let mut remaining = exponent;
    while remaining > 1000 {
        result *= f64::from_bits(((1000 + 1023) as u64) << 52);
        remaining -= 1000;
    }
    while remaining < -1000 {
        result *= f64::from_bits(((-1000 + 1023) as u64) << 52);
        remaining += 1000;
    }
    result * f64::from_bits(((remaining + 1023) as u64) << 52)
}
