//! One small stable sort for the whole project.
//!
//! The standard library's sorts are fast but large: each call site with
//! its own element type and comparator compiles a new copy of several
//! kilobytes (its quicksort, partition and small-sort kernels), and a lab
//! page with a few dozen sorts carried over 100 KB of them. Every sort
//! here compiles to a few hundred bytes per element type: short slices
//! take a binary insertion sort in place (what the checkers' hot loops
//! sort is short), longer ones a bottom-up merge sort over indices shared
//! by every element type, then one in-place permutation.
//!
//! All sorts are stable. Where the code used `sort_unstable` on plain
//! values, equal elements are indistinguishable, so results are the same.

use std::cmp::Ordering;

/// Slices up to this long are sorted in place by insertion.
const INSERTION_MAX: usize = 24;

/// Sorts `v` by `cmp`, keeping equal elements in their order.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let n = v.len();
    if n < 2 {
        return;
    }
    if n <= INSERTION_MAX {
        for i in 1..n {
            // The first position in v[..i] whose element is greater than v[i].
            let (mut lo, mut hi) = (0, i);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if cmp(&v[mid], &v[i]) == Ordering::Greater {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            v[lo..=i].rotate_right(1);
        }
        return;
    }
    let order = merge_order(n, &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` by a key, keeping equal keys in their order.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in ascending order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts floats in ascending order, by `total_cmp` (NaN last).
pub fn sort_floats(v: &mut [f64]) {
    sort_by(v, |a, b| a.total_cmp(b));
}

/// The stable order of `n` items under `cmp` over their indices: a
/// bottom-up merge sort. One compiled copy serves every element type.
fn merge_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n).collect();
    let mut b: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right only when strictly smaller: stable.
                if cmp(a[j], a[i]) == Ordering::Less {
                    b[k] = a[j];
                    j += 1;
                } else {
                    b[k] = a[i];
                    i += 1;
                }
                k += 1;
            }
            b[k..k + (mid - i)].copy_from_slice(&a[i..mid]);
            k += mid - i;
            b[k..k + (end - j)].copy_from_slice(&a[j..end]);
            start = end;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`,
/// following each cycle with swaps.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut here = start;
        // `order[here] == here` marks a position already in place.
        while order[here] != start {
            let from = order[here];
            v.swap(here, from);
            order[here] = here;
            here = from;
        }
        order[here] = here;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::SimRng;

    #[test]
    fn sorts_match_the_standard_library_at_every_length_and_stay_stable() {
        let mut rng = SimRng::new(7);
        for n in 0..300 {
            for _ in 0..3 {
                // Few distinct keys, so stability is tested: (key, original position).
                let v: Vec<(u64, usize)> = (0..n).map(|i| (rng.range_u64(0, 5), i)).collect();
                let mut ours = v.clone();
                sort_by_key(&mut ours, |x| x.0);
                let mut theirs = v.clone();
                theirs.sort_by_key(|x| x.0);
                assert_eq!(ours, theirs, "n = {n}");
            }
        }
    }

    #[test]
    fn floats_sort_by_total_order() {
        let mut v = vec![3.0, -1.0, f64::NAN, 0.0, -0.0, 2.5];
        sort_floats(&mut v);
        assert_eq!(&v[..5], &[-1.0, -0.0, 0.0, 2.5, 3.0]);
        assert!(v[5].is_nan());
        let mut long: Vec<f64> = (0..100).map(|i| ((i * 37) % 101) as f64).collect();
        sort_floats(&mut long);
        assert!(long.windows(2).all(|w| w[0] <= w[1]));
    }
}
