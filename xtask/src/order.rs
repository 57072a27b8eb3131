//! An order of function bodies that gzip compresses well.
//!
//! Deflate finds repeats only within the last 32 KB it wrote, so the order of a module's
//! functions changes the size of its gzip: a body next to bodies that share its byte strings
//! costs a fraction of one among strangers. The order here is greedy: start with the largest body,
//! then append, again and again, the remaining body that the last 32 KB of output covers best.
//!
//! "Covers" stands for deflate's matches, at a cost low enough for ~1,400 bodies (one scoring
//! per body per step): a body's byte strings of [`GRAMS`] lengths ("grams") are counted once each,
//! and its cover is the share of them present in the window. A body's own repeats are no gain
//! from its neighbours, hence distinct grams. The counts are kept up to date as the window slides,
//! touching only the bodies that hold a gram when that gram enters or leaves the window.

use std::collections::HashMap;

/// Deflate's window: how far back a match can reach.
const WINDOW: usize = 32 * 1024;

/// The gram lengths counted: long enough that a shared gram is a likely deflate match (deflate's
/// shortest is 3 bytes, but short ones are everywhere and cost about as much as literals).
/// Measured on the shipped module against other choices (4, 5, 8, 4+8, 6+8+10, ...): 6+8 gave
/// the smallest gzip.
const GRAMS: [usize; 2] = [6, 8];

/// The order: each index of `bodies` once, in the order to write them.
pub fn gzip_order(bodies: &[&[u8]]) -> Vec<usize> {
    let mut window = Window::new(bodies);
    let mut used = vec![false; bodies.len()];
    let mut order = Vec::with_capacity(bodies.len());
    // The largest body first: it has the most to share, and nothing to gain from a neighbour yet.
    let mut next = (0..bodies.len()).max_by_key(|&i| (bodies[i].len(), std::cmp::Reverse(i)));
    while let Some(body) = next {
        used[body] = true;
        order.push(body);
        window.append(bodies[body]);
        next = None;
        for candidate in (0..bodies.len()).filter(|&i| !used[i]) {
            // The best cover, present / distinct, compared without division; ties go to the
            // lower index, so the order depends on the bodies alone.
            let better = next.is_none_or(|best| {
                let (a, b) = (&window.cover[candidate], &window.cover[best]);
                a.present * (b.distinct + 1) > b.present * (a.distinct + 1)
            });
            if better {
                next = Some(candidate);
            }
        }
    }
    order
}

/// How much of a body the window covers: its distinct grams, and how many of them are in it.
#[derive(Clone, Copy, Default)]
struct Cover {
    distinct: u64,
    present: u64,
}

/// The output so far and, per gram length, which grams its last [`WINDOW`] bytes hold.
struct Window {
    out: Vec<u8>,
    /// Where the window starts in `out`.
    start: usize,
    grams: Vec<Grams>,
    /// Per body.
    cover: Vec<Cover>,
}

/// The grams of one length that occur in some body.
struct Grams {
    len: usize,
    /// Each gram's number.
    ids: HashMap<u64, usize>,
    /// Per gram number: the bodies that hold it, once each.
    holders: Vec<Vec<usize>>,
    /// Per gram number: how many times it occurs in the window.
    in_window: Vec<u32>,
}

impl Window {
    fn new(bodies: &[&[u8]]) -> Window {
        let mut cover = vec![Cover::default(); bodies.len()];
        let grams = GRAMS
            .iter()
            .map(|&len| {
                let mut grams = Grams { len, ids: HashMap::new(), holders: Vec::new(), in_window: Vec::new() };
                for (body, bytes) in bodies.iter().enumerate() {
                    for gram in bytes.windows(len) {
                        let next = grams.holders.len();
                        let id = *grams.ids.entry(key(gram)).or_insert(next);
                        if id == next {
                            grams.holders.push(Vec::new());
                            grams.in_window.push(0);
                        }
                        // Bodies are numbered in order, so a repeat within a body is the last holder.
                        if grams.holders[id].last() != Some(&body) {
                            grams.holders[id].push(body);
                            cover[body].distinct += 1;
                        }
                    }
                }
                grams
            })
            .collect();
        Window { out: Vec::new(), start: 0, grams, cover }
    }

    /// Writes `body` after the output, and slides the window to keep its last [`WINDOW`] bytes.
    fn append(&mut self, body: &[u8]) {
        let old_len = self.out.len();
        self.out.extend_from_slice(body);
        for grams in &mut self.grams {
            // Grams that start in the previous body and end in this one are output too.
            for at in old_len.saturating_sub(grams.len - 1)..(self.out.len() + 1).saturating_sub(grams.len) {
                grams.enter(&self.out[at..at + grams.len], &mut self.cover);
            }
        }
        while self.out.len() - self.start > WINDOW {
            for grams in &mut self.grams {
                if let Some(gram) = self.out.get(self.start..self.start + grams.len) {
                    grams.leave(gram, &mut self.cover);
                }
            }
            self.start += 1;
        }
    }
}

impl Grams {
    fn enter(&mut self, gram: &[u8], cover: &mut [Cover]) {
        if let Some(&id) = self.ids.get(&key(gram)) {
            self.in_window[id] += 1;
            if self.in_window[id] == 1 {
                for &body in &self.holders[id] {
                    cover[body].present += 1;
                }
            }
        }
    }

    fn leave(&mut self, gram: &[u8], cover: &mut [Cover]) {
        if let Some(&id) = self.ids.get(&key(gram)) {
            self.in_window[id] -= 1;
            if self.in_window[id] == 0 {
                for &body in &self.holders[id] {
                    cover[body].present -= 1;
                }
            }
        }
    }
}

/// A gram of at most 8 bytes as one number (the lengths in [`GRAMS`] are).
fn key(gram: &[u8]) -> u64 {
    gram.iter().fold(0, |key, &b| key << 8 | u64::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_bodies_that_share_bytes_side_by_side() {
        let a = b"0123456789abcdefghij-one".as_slice();
        let b = b"zyxwvutsrqponmlkjihg-two".as_slice();
        let a2 = b"0123456789abcdefghij-uno".as_slice();
        let b2 = b"zyxwvutsrqponmlkjihg-dos".as_slice();
        let big = b"0123456789abcdefghij-and a longer tail".as_slice();
        assert_eq!(gzip_order(&[a, b, a2, b2, big]), [4, 0, 2, 1, 3]);
        assert_eq!(gzip_order(&[]), Vec::<usize>::new());
        assert_eq!(gzip_order(&[b"".as_slice(), b"x"]), [1, 0]);
    }

    #[test]
    fn a_gram_counts_while_it_is_in_the_window() {
                let mut window = Window::new(&[b"abcdefgh".as_slice(), b"abcdefgh"]);
        window.append(b"abcdefgh");
        assert_eq!(window.cover[1].present, 4, "three 6-grams and one 8-gram");
        window.append(&[0; WINDOW]);
        assert_eq!(window.cover[1].present, 0);
    }
}
