//! CPython 3.13 `set` iteration order under `PYTHONHASHSEED=0` (the seed the reference
//! oracle runs with).
//!
//! The reconcile comparator (§8.5) walks `set(target.keys()) - KOREO_DIRECTIVE_KEYS` and
//! `set(target) - set(actual)`, and names the *first* difference it meets, so which field a
//! "Patching … due to …" message names follows Python's hash-table layout. With the hash
//! secret zeroed that layout is deterministic: SipHash-1-3 with a zero key for strings, the
//! numeric hash modulo 2⁶¹−1 for numbers, open addressing with 9 linear probes then
//! perturbation, and resizes at 60 % fill. This module reproduces exactly that.

use crate::data::Data;

const M61: u64 = (1 << 61) - 1;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
const MIN_SIZE: usize = 8;

/// SipHash-1-3 with the zero key, as CPython's `_Py_HashBytes` computes it.
fn siphash13_zero_key(data: &[u8]) -> u64 {
    let mut v = [
        0x736f_6d65_7073_6575u64,
        0x646f_7261_6e64_6f6d,
        0x6c79_6765_6e65_7261,
        0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let m = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        v[3] ^= m;
        round(&mut v);
        v[0] ^= m;
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let b = ((data.len() as u64 & 0xff) << 56) | u64::from_le_bytes(tail);
    v[3] ^= b;
    round(&mut v);
    v[0] ^= b;
    v[2] ^= 0xff;
    for _ in 0..3 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

fn fix_minus_one(h: i64) -> i64 {
    if h == -1 { -2 } else { h }
}

/// `hash(s)`: SipHash over the string's compact representation (1, 2 or 4 bytes per code
/// point, by its widest character).
pub fn hash_str(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    let widest = s.chars().map(u32::from).max().unwrap_or(0);
    let width = if widest < 0x100 {
        1
    } else if widest < 0x10000 {
        2
    } else {
        4
    };
    let mut bytes = Vec::with_capacity(s.len() * width);
    for c in s.chars() {
        bytes.extend_from_slice(&u32::from(c).to_le_bytes()[..width]);
    }
    fix_minus_one(siphash13_zero_key(&bytes) as i64)
}

/// `hash(i)` for an int (and a bool).
pub fn hash_int(i: i64) -> i64 {
    let r = (i.unsigned_abs() % M61) as i64;
    fix_minus_one(if i < 0 { -r } else { r })
}

/// `hash(f)`: CPython's `_Py_HashDouble` (equal to `hash_int` for integral values). NaN
/// hashes by identity in Python; 0 stands in for it.
pub fn hash_float(f: f64) -> i64 {
    if f.is_infinite() {
        return if f > 0.0 { 314_159 } else { -314_159 };
    }
    if f.is_nan() || f == 0.0 {
        return 0;
    }
    let (mut m, mut e) = frexp(f.abs());
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & M61) | (x >> (61 - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= M61 {
            x -= M61;
        }
    }
    let e = if e >= 0 {
        e % 61
    } else {
        61 - 1 - ((-1 - e) % 61)
    } as u32;
    x = ((x << e) & M61) | (x >> (61 - e));
    let h = if f < 0.0 {
        (x as i64).wrapping_neg()
    } else {
        x as i64
    };
    fix_minus_one(h)
}

/// `frexp` for a positive finite value: `v = m · 2^e` with `m` in `[0.5, 1)`.
fn frexp(v: f64) -> (f64, i32) {
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(v * f64::from_bits(0x4350_0000_0000_0000)); // 2^54
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022)
}

/// `hash(x)` of a hashable value; `None` for lists and maps.
pub fn hash_data(d: &Data) -> Option<i64> {
    Some(match d {
        Data::Null => 4_238_894_112,
        Data::Bool(b) => i64::from(*b),
        Data::Int(i) => hash_int(*i),
        Data::Float(f) => hash_float(*f),
        Data::Str(s) => hash_str(s),
        _ => return None,
    })
}

/// A CPython set table of indices into the caller's elements.
struct Table {
    slots: Vec<Option<(usize, i64)>>,
    fill: usize,
}

impl Table {
    fn new() -> Self {
        Table {
            slots: vec![None; MIN_SIZE],
            fill: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// `set_insert_clean`: no comparisons, the first free slot of the probe sequence.
    fn insert_clean(slots: &mut [Option<(usize, i64)>], idx: usize, hash: i64) {
        let mask = slots.len() - 1;
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            if slots[i].is_none() {
                slots[i] = Some((idx, hash));
                return;
            }
            if i + LINEAR_PROBES <= mask {
                for j in 1..=LINEAR_PROBES {
                    if slots[i + j].is_none() {
                        slots[i + j] = Some((idx, hash));
                        return;
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, vec![None; size]);
        for (idx, hash) in old.into_iter().flatten() {
            Self::insert_clean(&mut self.slots, idx, hash);
        }
        self.fill = self.slots.iter().flatten().count();
    }

    /// `set_add_entry`: keeps the first of equal elements.
    fn add(&mut self, idx: usize, hash: i64, eq: &dyn Fn(usize, usize) -> bool) {
        let mask = self.mask();
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                match self.slots[j] {
                    None => {
                        self.slots[j] = Some((idx, hash));
                        self.fill += 1;
                        if self.fill * 5 >= mask * 3 {
                            let used = self.fill;
                            self.resize(if used > 50_000 { used * 2 } else { used * 4 });
                        }
                        return;
                    }
                    Some((other, h)) if h == hash && eq(other, idx) => return,
                    Some(_) => {}
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn order(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.slots.iter().flatten().copied()
    }
}

/// Iteration order of `set(a) - set(b)` as indices into `a`: `hashes[i]` is `hash(a[i])`,
/// `eq(i, j)` compares two elements of `a`, `in_b(i)` says whether `a[i]` is in `b`, and
/// `b_len` is `len(set(b))` (it picks CPython's strategy, which changes the layout).
pub fn difference_order(
    hashes: &[i64],
    eq: &dyn Fn(usize, usize) -> bool,
    in_b: &dyn Fn(usize) -> bool,
    b_len: usize,
) -> Vec<usize> {
    let mut a = Table::new();
    for (i, h) in hashes.iter().enumerate() {
        a.add(i, *h, eq);
    }
    let used = a.fill;
    if (used >> 2) > b_len {
        // Copy (one resize up front, then clean inserts in table order) and discard: the
        // discarded entries leave dummies, so the survivors keep their slots.
        let mut copy = Table::new();
        if used * 5 >= copy.mask() * 3 {
            copy.resize(used * 2);
        }
        if copy.slots.len() == a.slots.len() {
            copy.slots = a.slots.clone();
        } else {
            for (idx, h) in a.order() {
                Table::insert_clean(&mut copy.slots, idx, h);
            }
        }
        return copy
            .order()
            .map(|(idx, _)| idx)
            .filter(|&idx| !in_b(idx))
            .collect();
    }
    let mut out = Table::new();
    for (idx, h) in a.order() {
        if !in_b(idx) {
            out.add(idx, h, eq);
        }
    }
    out.order().map(|(idx, _)| idx).collect()
}

/// Iteration order of `set(keys)` for string keys inserted in the given order (repeats
/// ignored).
pub fn str_set_order(keys: &[&str]) -> Vec<usize> {
    let mut t = Table::new();
    for (i, k) in keys.iter().enumerate() {
        t.add(i, hash_str(k), &|a, b| keys[a] == keys[b]);
    }
    t.order().map(|(idx, _)| idx).collect()
}

/// Iteration order of `set(keys) - excluded` for string keys (distinct, as a dict's are).
pub fn str_difference_order(keys: &[&str], excluded: &[&str]) -> Vec<usize> {
    let hashes: Vec<i64> = keys.iter().map(|k| hash_str(k)).collect();
    difference_order(
        &hashes,
        &|i, j| keys[i] == keys[j],
        &|i| excluded.contains(&keys[i]),
        excluded.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by `PYTHONHASHSEED=0 python3.13 -c 'print(hash(...))'`.
    #[test]
    fn hashes_match_cpython_with_seed_zero() {
        assert_eq!(hash_int(-1), -2);
        assert_eq!(hash_int(i64::MIN), -4);
        assert_eq!(hash_int(1 << 62), 2);
        assert_eq!(hash_float(1.5), 1_152_921_504_606_846_977);
        assert_eq!(hash_float(2.0), 2);
        assert_eq!(hash_float(f64::INFINITY), 314_159);
        assert_eq!(hash_str(""), 0);
        assert_eq!(hash_str("a"), 4_644_417_185_603_328_019);
        assert_eq!(hash_str("spec"), -6_625_213_013_926_701_112);
        assert_eq!(hash_str("é"), 6_047_309_291_227_476_195);
        assert_eq!(hash_str("€uro"), 7_542_247_858_446_192_590);
        assert_eq!(hash_str("𝄞x"), -5_730_075_756_551_495_666);
    }

    const DIRECTIVES: [&str; 3] = [
        "x-koreo-compare-as-set",
        "x-koreo-compare-as-map",
        "x-koreo-compare-last-applied",
    ];

    fn keys_order(keys: &[&str]) -> Vec<String> {
        str_difference_order(keys, &DIRECTIVES)
            .into_iter()
            .map(|i| keys[i].to_string())
            .collect()
    }

    #[test]
    fn set_difference_order_matches_cpython() {
        let k = [
            "apiVersion",
            "kind",
            "metadata",
            "spec",
            "data",
            "x-koreo-compare-as-set",
        ];
        assert_eq!(
            keys_order(&k),
            ["spec", "apiVersion", "metadata", "data", "kind"]
        );
        let k = ["requests.cpu", "requests.memory", "pods"];
        assert_eq!(keys_order(&k), ["requests.memory", "pods", "requests.cpu"]);
        // 20 keys: CPython copies the set and discards instead of rebuilding it.
        let owned: Vec<String> = ('a'..='t').map(|c| format!("{c}{c}")).collect();
        let k: Vec<&str> = owned.iter().map(String::as_str).collect();
        let expected = [
            "gg", "qq", "ss", "cc", "hh", "bb", "tt", "oo", "ii", "mm", "dd", "aa", "kk", "ll",
            "jj", "ff", "nn", "pp", "rr", "ee",
        ];
        assert_eq!(keys_order(&k), expected);
    }

    #[test]
    fn step_label_sets_match_cpython() {
        let labels = [
            "config", "deploy", "service", "labels", "network", "bindings",
        ];
        let order: Vec<&str> = str_set_order(&labels)
            .into_iter()
            .map(|i| labels[i])
            .collect();
        assert_eq!(
            order,
            [
                "config", "labels", "service", "bindings", "deploy", "network"
            ]
        );
        let needed = ["zeta", "alpha", "late", "beta"];
        let out: Vec<&str> = str_difference_order(&needed, &["alpha", "beta", "gamma"])
            .into_iter()
            .map(|i| needed[i])
            .collect();
        assert_eq!(out, ["zeta", "late"]);
    }

    #[test]
    fn mixed_values_order_matches_cpython() {
        let a = [
            Data::Int(3),
            Data::Str("b".into()),
            Data::Float(1.5),
            Data::Bool(true),
            Data::Null,
            Data::Str("a".into()),
            Data::Int(7),
        ];
        let hashes: Vec<i64> = a.iter().map(|d| hash_data(d).unwrap()).collect();
        let order = difference_order(
            &hashes,
            &|i, j| a[i].py_eq(&a[j]),
            &|i| a[i] == Data::Int(7),
            1,
        );
        assert_eq!(order, [4, 2, 3, 0, 1, 5]);
    }
}
