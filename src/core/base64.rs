//! Base64 (RFC 4648 §4 and §5), the little of it the SDK needs: SASL payloads and SCRAM salts
//! (standard alphabet, padded, strict), and ids and nonces (URL-safe alphabet, unpadded).
//!
//! Hand-written rather than the `base64` crate: its general-purpose engine is ~6 KB of
//! WebAssembly, this is a few hundred bytes.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `data` in the standard alphabet, padded with `=`.
pub fn encode(data: &[u8]) -> String {
    encode_with(data, STANDARD, true)
}

/// `data` in the URL-safe alphabet (`-`, `_`), unpadded: for ids that travel in URLs and XML.
pub fn encode_url_safe(data: &[u8]) -> String {
    encode_with(data, URL_SAFE, false)
}

fn encode_with(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        // A chunk of k bytes gives k + 1 significant characters.
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.extend(alphabet.get(((n >> shift) & 63) as usize).map(|&c| char::from(c)));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard, padded base64; `None` unless `text` is canonical (length a multiple of
/// four, `=` only as final padding, unused bits zero), as RFC 6120 §6.4.2 wants of SASL data.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let quads = bytes.chunks(4);
    let last = quads.len().saturating_sub(1);
    for (q, quad) in quads.enumerate() {
        let pads = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pads > 2 || (pads > 0 && q != last) {
            return None;
        }
        let mut n = 0u32;
        for &c in quad.get(..4 - pads)? {
            n = (n << 6) | u32::from(sextet(c)?);
        }
        n <<= 6 * pads as u32;
        let [_, b0, b1, b2] = n.to_be_bytes();
        let triple = [b0, b1, b2];
        let (data, unused) = triple.split_at(3 - pads);
        // Non-canonical: bits the padding says are unused are set.
        if unused.iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(data);
    }
    Some(out)
}

/// The value of a standard-alphabet character.
fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors_round_trip() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")];
        for (plain, coded) in vectors {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).as_deref(), Some(plain.as_bytes()), "{coded}");
        }
    }

    #[test]
    fn url_safe_has_no_padding_and_no_plus_or_slash() {
        assert_eq!(encode_url_safe(&[0xfb, 0xff]), "-_8");
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(encode_url_safe(&[0; 12]).len(), 16);
    }

    #[test]
    fn refuses_what_is_not_canonical() {
        for bad in ["Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zg==Zg==", "Zm 9", "Zm-v", "Zm9v\n"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)), Some(all));
    }
}
