//! An order of function bodies that gzip compresses well.
//!
//! Deflate finds repeats only within the last 32 KB it wrote, so the order of a module's
//! functions changes the size of its gzip: a body next to bodies that share its byte strings
//! costs a fraction of one among strangers. The order here is greedy: start with the largest body,
//! then append, again and again, the remaining body that the last 32 KB of output saves the most
//! bits on, against the body alone.
//!
//! Pricing every remaining body at every step would be ~1,400² small compressions, so each step
//! first shortlists the [`SHORTLIST`] bodies with the most distinct byte strings of [`GRAMS`]
//! lengths ("grams") in the window. Those counts are kept up to date as the window slides, by
//! touching only the bodies that hold a gram when it enters or leaves the window. The shortlist
//! is then priced like zlib -9 would: an LZ77 parse (lazy, longest of a few earlier matches) into
//! deflate's symbols, costed as the cheaper of its fixed and its own dynamic Huffman codes.
//! The dynamic codes matter: priced with the fixed ones only, or by shared grams alone, the
//! shipped module's gzip came out ~500 B larger.

use std::cmp::Reverse;
use std::collections::HashMap;

/// Deflate's window: how far back a match can reach.
const WINDOW: usize = 32 * 1024;

/// The gram lengths of the shortlist: long enough that a shared gram is a likely match.
const GRAMS: [usize; 2] = [6, 8];

/// How many bodies are priced per step (more cost time and, measured, gained nothing).
const SHORTLIST: usize = 64;

/// The order: each index of `bodies` once, in the order to write them.
pub fn gzip_order(bodies: &[&[u8]]) -> Vec<usize> {
    let mut window = Window::new(bodies);
    let alone: Vec<u64> = (0..bodies.len()).map(|body| window.bits(bodies[body], &window.local[body], false)).collect();
    let mut remaining: Vec<usize> = (0..bodies.len()).collect();
    // The largest body first: it has the most to share, and nothing to gain from a neighbour yet.
    let mut next = remaining.iter().copied().max_by_key(|&i| (bodies[i].len(), Reverse(i)));
    let mut order = Vec::with_capacity(bodies.len());
    while let Some(body) = next {
        order.push(body);
        remaining.retain(|&i| i != body);
        window.append(bodies[body]);
        // Ties go to the lower index, so the order depends on the bodies alone.
        let mut shortlist = remaining.clone();
        if shortlist.len() > SHORTLIST {
            shortlist.select_nth_unstable_by_key(SHORTLIST - 1, |&i| (Reverse(window.present[i]), i));
            shortlist.truncate(SHORTLIST);
        }
        let saved = |i: usize| alone[i] as i64 - window.bits(bodies[i], &window.local[i], true) as i64;
        next = shortlist.into_iter().min_by_key(|&i| (Reverse(saved(i)), i));
    }
    order
}

/// The output so far, what its last [`WINDOW`] bytes hold, and where the bodies repeat themselves.
struct Window {
    out: Vec<u8>,
    /// Where the window starts in `out`.
    start: usize,
    grams: Vec<Grams>,
    /// Per body: how many of its distinct grams are in the window.
    present: Vec<u64>,
    /// Per hash of 3 bytes: the last position in `out` where they start, or [`NONE`].
    head: Vec<u32>,
    /// Per position in `out`: the one before it with the same hash, or [`NONE`].
    prev: Vec<u32>,
    /// Per body, per position: the one before it in the body with the same 3 bytes, or [`NONE`].
    local: Vec<Vec<u32>>,
    /// `log2(n)` for every count a body's symbols can reach, in 1/256 bits.
    log2: Vec<u64>,
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

/// No position.
const NONE: u32 = u32::MAX;
/// Deflate's shortest match.
const MIN_MATCH: usize = 3;
/// Deflate's longest match.
const MAX_MATCH: usize = 258;
/// zlib's limit for a shortest match: farther, it costs more than its three literals.
const TOO_FAR: usize = 4096;
/// How many earlier places with the same 3 bytes a match search tries (zlib -9 tries up to
/// 4,096; 8 to 64 gave the same sizes here).
const CHAIN: usize = 16;
/// Bits of the hash of 3 bytes.
const HASH_BITS: u32 = 16;
/// Fixed-point scale of the costs: 1/256 bit.
const SCALE: u64 = 256;

impl Window {
    fn new(bodies: &[&[u8]]) -> Window {
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
                        }
                    }
                }
                grams
            })
            .collect();
        let local = bodies
            .iter()
            .map(|bytes| {
                let mut last = HashMap::new();
                let at = |(at, three): (usize, &[u8])| last.insert(key(three), at as u32).unwrap_or(NONE);
                bytes.windows(MIN_MATCH).enumerate().map(at).collect()
            })
            .collect();
        // A body of n bytes has at most n + 1 symbols (with the end of block).
        let most = bodies.iter().map(|b| b.len()).max().unwrap_or(0) + 2;
        Window {
            out: Vec::new(),
            start: 0,
            grams,
            present: vec![0; bodies.len()],
            head: vec![NONE; 1 << HASH_BITS],
            prev: Vec::new(),
            local,
            log2: (0..most as u64).map(log2).collect(),
        }
    }

    /// Writes `body` after the output, and slides the window to keep its last [`WINDOW`] bytes.
    fn append(&mut self, body: &[u8]) {
        let old_len = self.out.len();
        self.out.extend_from_slice(body);
        for grams in &mut self.grams {
            // Grams that start in the previous body and end in this one are output too.
            for at in old_len.saturating_sub(grams.len - 1)..(self.out.len() + 1).saturating_sub(grams.len) {
                grams.enter(&self.out[at..at + grams.len], &mut self.present);
            }
        }
        for at in self.prev.len()..(self.out.len() + 1).saturating_sub(MIN_MATCH) {
            let slot = &mut self.head[hash(&self.out[at..at + MIN_MATCH])];
            self.prev.push(*slot);
            *slot = at as u32;
        }
        while self.out.len() - self.start > WINDOW {
            for grams in &mut self.grams {
                if let Some(gram) = self.out.get(self.start..self.start + grams.len) {
                    grams.leave(gram, &mut self.present);
                }
            }
            self.start += 1;
        }
    }

    /// The longest match for `body[at..]`: `(length, distance)`, or a length below [`MIN_MATCH`].
    /// Within the body (`local`: its chains) and, when `after` is set, into the window.
    fn longest(&self, body: &[u8], local: &[u32], after: bool, at: usize) -> (usize, usize) {
        let (mut len, mut distance) = (0, 0);
        let rest = &body[at..body.len().min(at + MAX_MATCH)];
        let mut earlier = local.get(at).copied().unwrap_or(NONE);
        for _ in 0..CHAIN {
            if earlier == NONE {
                break;
            }
            let from = earlier as usize;
            let l = common(&body[from..], rest);
            if l > len {
                (len, distance) = (l, at - from);
            }
            earlier = local[from];
        }
        if after && rest.len() >= MIN_MATCH {
            // `out` ends where the body would start: a distance counts from there.
            let mut earlier = self.head[hash(rest)];
            for _ in 0..CHAIN {
                if earlier == NONE || self.out.len() - earlier as usize + at > WINDOW {
                    break;
                }
                let from = earlier as usize;
                // A hash collision shares fewer than 3 bytes, and loses to any match.
                let l = common(&self.out[from..], rest);
                if l > len {
                    (len, distance) = (l, self.out.len() - from + at);
                }
                earlier = self.prev[from];
            }
        }
        if len == MIN_MATCH && distance > TOO_FAR {
            return (0, 0);
        }
        (len, distance)
    }

    /// What `body` costs deflated on its own, or after the window when `after` is set: in
    /// 1/256 bits, the cheaper of deflate's fixed Huffman codes and codes of its own (whose
    /// size is the symbols' entropy, plus a guess at the block header that describes them).
    fn bits(&self, body: &[u8], local: &[u32], after: bool) -> u64 {
        let mut symbols = Symbols::default();
        let mut at = 0;
        let mut known = None;
        while at < body.len() {
            let (len, distance) = known.take().unwrap_or_else(|| self.longest(body, local, after, at));
            if len < MIN_MATCH {
                symbols.literal(body[at]);
                at += 1;
                continue;
            }
            // zlib's lazy matching: a longer match one byte on wins over this one.
            if at + 1 < body.len() {
                let next = self.longest(body, local, after, at + 1);
                if next.0 > len {
                    symbols.literal(body[at]);
                    at += 1;
                    known = Some(next);
                    continue;
                }
            }
            symbols.matched(len, distance);
            at += len;
        }
        symbols.lengths[END_OF_BLOCK] += 1;
        // The fixed codes' block: the symbols, their extra bits, the end of block and the type.
        let fixed = symbols.fixed + symbols.extra + 7 + 3;
        let used = symbols.lengths.iter().chain(&symbols.distances).filter(|&&n| n > 0).count() as u64;
        let dynamic = self.entropy(&symbols.lengths)
            + self.entropy(&symbols.distances)
            + SCALE * (symbols.extra + HEADER + USED_SYMBOL * used);
        (SCALE * fixed).min(dynamic)
    }

    /// `counts`' entropy, in 1/256 bits: sum(n log2(total / n)).
    fn entropy(&self, counts: &[u32]) -> u64 {
        let total: u32 = counts.iter().sum();
        let sum: u64 = counts.iter().map(|&n| u64::from(n) * self.log2[n as usize]).sum();
        u64::from(total) * self.log2[total as usize] - sum
    }
}

/// The literal/length symbol that ends a block.
const END_OF_BLOCK: usize = 256;
/// A dynamic block's header beyond its code lengths: the block type, HLIT, HDIST and HCLEN, and
/// the code lengths of the code-length alphabet (3 + 14 + 19 × 3 bits).
const HEADER: u64 = 3 + 14 + 57;
/// A guess at the bits of one used symbol's code length in a dynamic block's header.
const USED_SYMBOL: u64 = 5;

/// The deflate symbols of a parse: how often each occurs, their extra bits, and their size in
/// the fixed Huffman codes.
struct Symbols {
    lengths: [u32; 286],
    distances: [u32; 30],
    extra: u64,
    fixed: u64,
}

impl Default for Symbols {
    fn default() -> Symbols {
        Symbols { lengths: [0; 286], distances: [0; 30], extra: 0, fixed: 0 }
    }
}

impl Symbols {
    fn literal(&mut self, byte: u8) {
        self.lengths[usize::from(byte)] += 1;
        self.fixed += if byte < 144 { 8 } else { 9 };
    }

    /// A match, as RFC 1951 §3.2.5 codes it: a length code (257..285) and a distance code
    /// (0..29), each followed by extra bits.
    fn matched(&mut self, len: usize, distance: usize) {
        let (length_code, length_extra) = match len - MIN_MATCH {
            _ if len == MAX_MATCH => (28, 0),
            v @ 0..8 => (v, 0),
            v => {
                let extra = v.ilog2() - 2;
                (4 * extra as usize + 4 + ((v >> extra) & 3), extra)
            }
        };
        let (distance_code, distance_extra) = match distance - 1 {
            v @ 0..4 => (v, 0),
            v => {
                let extra = v.ilog2() - 1;
                (2 * extra as usize + 2 + ((v >> extra) & 1), extra)
            }
        };
        self.lengths[END_OF_BLOCK + 1 + length_code] += 1;
        self.distances[distance_code] += 1;
        self.extra += u64::from(length_extra + distance_extra);
        // Fixed codes: 7 bits for length codes 257..279, 8 above; 5 for every distance code.
        self.fixed += if length_code < 23 { 7 } else { 8 } + 5;
    }
}

impl Grams {
    fn enter(&mut self, gram: &[u8], present: &mut [u64]) {
        if let Some(&id) = self.ids.get(&key(gram)) {
            self.in_window[id] += 1;
            if self.in_window[id] == 1 {
                for &body in &self.holders[id] {
                    present[body] += 1;
                }
            }
        }
    }

    fn leave(&mut self, gram: &[u8], present: &mut [u64]) {
        if let Some(&id) = self.ids.get(&key(gram)) {
            self.in_window[id] -= 1;
            if self.in_window[id] == 0 {
                for &body in &self.holders[id] {
                    present[body] -= 1;
                }
            }
        }
    }
}

/// A gram of at most 8 bytes as one number (the lengths in [`GRAMS`] are).
fn key(gram: &[u8]) -> u64 {
    gram.iter().fold(0, |key, &b| key << 8 | u64::from(b))
}

/// The slot of `head` for the first 3 bytes of `bytes` (a multiplicative hash).
fn hash(bytes: &[u8]) -> usize {
    (key(&bytes[..MIN_MATCH]) as u32).wrapping_mul(0x9e37_79b1) as usize >> (32 - HASH_BITS)
}

/// How many bytes `a` and `b` share from their start.
fn common(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// `log2(n)` in 1/256 bits, rounded down (0 for 0), in integers: the same on every machine,
/// which keeps the order, and so the build, the same everywhere.
fn log2(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let whole = u64::from(n.ilog2());
    // The fraction, bit by bit: square the mantissa (1.xxx in 32-bit fixed point); when it
    // reaches 2, that bit of the fraction is 1.
    let mut mantissa = (n << 32) >> whole;
    let mut fraction = 0;
    for _ in 0..8 {
        mantissa = ((u128::from(mantissa) * u128::from(mantissa)) >> 32) as u64;
        fraction <<= 1;
        if mantissa >= 2 << 32 {
            mantissa >>= 1;
            fraction |= 1;
        }
    }
    whole * SCALE + fraction
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
        assert_eq!(window.present[1], 4, "three 6-grams and one 8-gram");
        window.append(&[0; WINDOW]);
        assert_eq!(window.present[1], 0);
    }

    #[test]
    fn prices_a_body_like_deflate() {
        let body = b"abcdXabcdY".as_slice();
        let mut window = Window::new(&[body]);
        // Fixed codes: 6 literals of 8 bits, a match of 4 at distance 5 (7 + 5 bits and 1 extra
        // bit), the end of block (7) and the block type (3).
        assert_eq!(window.bits(body, &window.local[0], false), 71 * SCALE);
        // All of it matches 10 bytes back (the longest match wins over the one within the body):
        // 7 + 5 bits and 2 extra bits, the end of block and the block type.
        window.append(b"--abcdXabcdY");
        assert_eq!(window.bits(body, &window.local[0], true), 24 * SCALE);
    }

    #[test]
    fn codes_matches_as_rfc_1951_does() {
        let code = |len, distance| {
            let mut symbols = Symbols::default();
            symbols.matched(len, distance);
            let length = symbols.lengths.iter().position(|&n| n == 1).unwrap_or(0);
            (length, symbols.distances.iter().position(|&n| n == 1).unwrap_or(0), symbols.extra)
        };
        assert_eq!(code(3, 1), (257, 0, 0));
        assert_eq!(code(11, 5), (265, 4, 1 + 1));
        assert_eq!(code(257, 24577), (284, 29, 5 + 13));
        assert_eq!(code(258, 32768), (285, 29, 13));
    }

    #[test]
    fn log2_in_fixed_point() {
        assert_eq!([0, 1, 2, 3, 1024].map(log2), [0, 0, 256, 405, 2560]);
    }
}
