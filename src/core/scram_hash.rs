//! The hashing SCRAM needs: SHA-1 and SHA-256 (FIPS 180-4), HMAC (RFC 2104) and `Hi()`, which is
//! PBKDF2 with HMAC (RFC 8018 §5.2, RFC 5802 §2.2).
//!
//! The block compression functions are the `sha1` and `sha2` crates' own (their `compress`
//! feature); this module only adds the padding, HMAC and PBKDF2 around them. The `digest`,
//! `hmac` and `pbkdf2` crates do the same through layers of generic wrappers that cost ~7 KB of
//! WebAssembly per login method; here one non-generic implementation serves both hashes.

use sha2::digest::generic_array::GenericArray;

/// Block size of both hashes, in bytes.
const BLOCK: usize = 64;

/// A hash a SCRAM variant is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-1 (SCRAM-SHA-1), 20-byte output.
    Sha1,
    /// SHA-256 (SCRAM-SHA-256), 32-byte output.
    Sha256,
}

/// A hash computation in progress.
#[derive(Clone)]
struct State {
    hash: Hash,
    /// The chaining value; SHA-1 uses the first five words.
    h: [u32; 8],
    /// Bytes not yet compressed (fewer than a block).
    pending: Vec<u8>,
    /// Bytes absorbed so far.
    length: u64,
}

impl State {
    fn new(hash: Hash) -> State {
        let h = match hash {
            Hash::Sha1 => [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0, 0, 0, 0],
            Hash::Sha256 => [
                0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
            ],
        };
        State { hash, h, pending: Vec::with_capacity(BLOCK), length: 0 }
    }

    fn compress(&mut self, block: &[u8]) {
        let block = [*GenericArray::from_slice(block)];
        match self.hash {
            Hash::Sha1 => {
                let mut h = [self.h[0], self.h[1], self.h[2], self.h[3], self.h[4]];
                sha1::compress(&mut h, &block);
                self.h[..5].copy_from_slice(&h);
            }
            Hash::Sha256 => sha2::compress256(&mut self.h, &block),
        }
    }

    fn update(&mut self, data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        self.pending.extend_from_slice(data);
        let full = self.pending.len() / BLOCK * BLOCK;
        let pending = std::mem::take(&mut self.pending);
        for block in pending[..full].chunks_exact(BLOCK) {
            self.compress(block);
        }
        self.pending = pending[full..].to_vec();
    }

    /// Pads (a `1` bit, zeros, the bit length big-endian) and returns the digest.
    fn finish(mut self) -> Vec<u8> {
        let bits = self.length.wrapping_mul(8);
        let mut tail = vec![0x80];
        tail.resize((BLOCK + 55 - self.pending.len()) % BLOCK + 1, 0);
        tail.extend_from_slice(&bits.to_be_bytes());
        self.update(&tail);
        let words = match self.hash {
            Hash::Sha1 => 5,
            Hash::Sha256 => 8,
        };
        self.h[..words].iter().flat_map(|w| w.to_be_bytes()).collect()
    }
}

/// HMAC keyed once, for many messages: the states after the inner and outer pad blocks.
struct Hmac {
    inner: State,
    outer: State,
}

impl Hmac {
    fn new(hash: Hash, key: &[u8]) -> Hmac {
        let mut block = if key.len() > BLOCK { hash.digest(key) } else { key.to_vec() };
        block.resize(BLOCK, 0);
        let pad = |byte: u8| -> Vec<u8> { block.iter().map(|b| b ^ byte).collect() };
        let mut inner = State::new(hash);
        inner.update(&pad(0x36));
        let mut outer = State::new(hash);
        outer.update(&pad(0x5c));
        Hmac { inner, outer }
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let mut inner = self.inner.clone();
        inner.update(data);
        let mut outer = self.outer.clone();
        outer.update(&inner.finish());
        outer.finish()
    }
}

impl Hash {
    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut state = State::new(self);
        state.update(data);
        state.finish()
    }

    /// HMAC of `data` under `key`.
    pub fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        Hmac::new(self, key).mac(data)
    }

    /// `Hi(password, salt, iterations)` of RFC 5802: PBKDF2 with this HMAC, one output block.
    pub fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        let prf = Hmac::new(self, password);
        let mut first = salt.to_vec();
        first.extend_from_slice(&1u32.to_be_bytes());
        let mut u = prf.mac(&first);
        let mut out = u.clone();
        for _ in 1..iterations {
            u = prf.mac(&u);
            out.iter_mut().zip(&u).for_each(|(o, x)| *o ^= x);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn digests_match_fips_180_vectors() {
        assert_eq!(hex(&Hash::Sha1.digest(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&Hash::Sha256.digest(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(&Hash::Sha1.digest(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        // 56 bytes: the padding needs a second block.
        let two_blocks = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(hex(&Hash::Sha256.digest(two_blocks)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assert_eq!(hex(&Hash::Sha1.digest(two_blocks)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
        let million = vec![b'a'; 1_000_000];
        assert_eq!(hex(&Hash::Sha1.digest(&million)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }

    #[test]
    fn hmac_matches_rfc_2202_and_4231() {
        let key = [0x0b; 20];
        assert_eq!(hex(&Hash::Sha1.hmac(&key, b"Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
        assert_eq!(hex(&Hash::Sha256.hmac(&key, b"Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        let jefe = Hash::Sha256.hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&jefe), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // A key longer than a block is hashed first.
        let long = Hash::Sha256.hmac(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(hex(&long), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn pbkdf2_matches_rfc_6070() {
        let hi = |c| hex(&Hash::Sha1.salted_password(b"password", b"salt", c));
        assert_eq!(hi(1), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
        assert_eq!(hi(2), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
        assert_eq!(hi(4096), "4b007901b765489abead49d926f721d065a429c1");
    }
}
