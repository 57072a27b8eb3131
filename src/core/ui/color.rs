//! The widget's palette from `theme_color`, with contrast checked and corrected (WCAG 2.x).
//!
//! The theme colour fills the icon, the header, the send button and the customer's bubbles, so
//! the text on it must reach 4.5:1: white when it does, else near-black when that does, else the
//! colour is darkened (its hue kept) until white does. An accent for text and focus rings on the
//! panel's light surfaces is the theme colour darkened until it reaches 4.5:1 on them.

use super::starts_with_ignore_case;

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The default `theme_color` ([`crate::core::config::DEFAULT_THEME_COLOR`]), for a theme
/// colour not even the browser can read.
pub const DEFAULT_THEME: Rgb = Rgb(0x19, 0x2d, 0x3f);
/// White.
pub const WHITE: Rgb = Rgb(255, 255, 255);
/// The dark text colour used on light theme colours.
pub const INK: Rgb = Rgb(17, 17, 17);
/// The lightest surface accent text sits on (the agent's bubbles); white is lighter.
pub const SURFACE: Rgb = Rgb(240, 242, 245);
/// The contrast text needs (WCAG AA, normal text).
pub const MIN_CONTRAST: f64 = 4.5;

/// The colours the widget's stylesheet uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Background of the themed surfaces.
    pub theme: Rgb,
    /// Text and icons on [`Palette::theme`].
    pub on_theme: Rgb,
    /// Links, focus rings and selected stars on light surfaces.
    pub accent: Rgb,
}

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        // By hand: `{:02x}` would keep the integer formatter's hex path in the bundle for this.
        let mut out = String::from("#");
        for c in [self.0, self.1, self.2] {
            for nibble in [c >> 4, c & 15] {
                out.push(char::from_digit(nibble.into(), 16).unwrap_or('0'));
            }
        }
        out
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                pow_2_4((c + 0.055) / 1.055)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// `self` mixed toward black: `t` = 0 keeps it, 1 gives black.
    fn darken(self, t: f64) -> Rgb {
        let k = |c: u8| (f64::from(c) * (1.0 - t)).round() as u8;
        Rgb(k(self.0), k(self.1), k(self.2))
    }

    /// `self` darkened in 5 % steps until it reaches [`MIN_CONTRAST`] against `other` (black at
    /// worst).
    fn darken_until(self, other: Rgb) -> Rgb {
        for i in 0..21 {
            let c = self.darken(f64::from(i) / 20.0);
            if contrast(c, other) >= MIN_CONTRAST {
                return c;
            }
        }
        Rgb(0, 0, 0)
    }
}

/// The WCAG contrast ratio of two colours, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The palette of a theme colour (see the module documentation).
pub fn palette(theme: Rgb) -> Palette {
    let accent = theme.darken_until(SURFACE);
    if contrast(theme, WHITE) >= MIN_CONTRAST {
        return Palette { theme, on_theme: WHITE, accent };
    }
    if contrast(theme, INK) >= MIN_CONTRAST {
        return Palette { theme, on_theme: INK, accent };
    }
    let theme = theme.darken_until(WHITE);
    Palette { theme, on_theme: WHITE, accent }
}

/// Reads `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` and `rgb()`/`rgba()` (comma or space syntax,
/// `/ alpha`, percentages): what a canvas's `fillStyle` gives back for any colour, so the widget
/// lets the browser resolve the rest (names, `hsl()`). Translucent colours are composed over
/// white, as the widget draws them.
pub fn parse(s: &str) -> Option<Rgb> {
    let s = s.trim();
    let (rgb, alpha) = match s.strip_prefix('#') {
        Some(hex) => {
            // Into a fixed array, not a collected Vec: no iterator instantiations for this.
            let mut n = [0.0; 8];
            for (i, c) in hex.chars().enumerate() {
                *n.get_mut(i)? = f64::from(c.to_digit(16)?);
            }
            // Hex digits only, so one byte each.
            let n = n.get(..hex.len())?;
            let short = |i: usize| n.get(i).map(|d| d * 17.0 / 255.0);
            let long = |i: usize| Some((n.get(2 * i)? * 16.0 + n.get(2 * i + 1)?) / 255.0);
            match n.len() {
                3 | 4 => ([short(0)?, short(1)?, short(2)?], short(3).unwrap_or(1.0)),
                6 | 8 => ([long(0)?, long(1)?, long(2)?], long(3).unwrap_or(1.0)),
                _ => return None,
            }
        }
        None => {
            // Compared without a lower-case copy: the rest is digits and punctuation.
            let open = if starts_with_ignore_case(s.as_bytes(), "rgba(") {
                5
            } else if starts_with_ignore_case(s.as_bytes(), "rgb(") {
                4
            } else {
                return None;
            };
            let args = s.get(open..)?.strip_suffix(')')?;
            let mut parts = [""; 4];
            let mut count = 0;
            for a in args.split([',', ' ', '/']) {
                if a.is_empty() {
                    continue;
                }
                // A fifth argument is an error.
                *parts.get_mut(count)? = a;
                count += 1;
            }
            let c = |i: usize, full: f64| parts.get(i).and_then(|a| fraction(a, full));
            if count < 3 {
                return None;
            }
            ([c(0, 255.0)?, c(1, 255.0)?, c(2, 255.0)?], if count == 4 { c(3, 1.0)? } else { 1.0 })
        }
    };
    // Three calls rather than `array::map` (its `try_map` would be one more instantiation).
    let k = |c: f64| ((c * alpha + 1.0 - alpha) * 255.0).round() as u8;
    let [r, g, b] = rgb;
    Some(Rgb(k(r), k(g), k(b)))
}

/// A number or percentage as a fraction of `full` (`"128"` of 255, `"50%"`), clamped to 0..1.
fn fraction(s: &str, full: f64) -> Option<f64> {
    let v = match s.strip_suffix('%') {
        Some(p) => number(p)? / 100.0,
        None => number(s)? / full,
    };
    Some(v.clamp(0.0, 1.0))
}

/// A plain decimal number (`12`, `-0.5`, `.5`). Hand-written: `str::parse::<f64>` would add its
/// tables (~15 KB) to the browser bundle, for colour arguments that are never long.
fn number(s: &str) -> Option<f64> {
    let (negative, digits) = match s.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s.as_bytes()),
    };
    if digits.len() > 12 {
        return None;
    }
    // One pass: digits before the point accumulate, digits after it scale down.
    let (mut value, mut scale, mut point, mut seen) = (0.0, 1.0, false, false);
    for &b in digits {
        match b {
            b'0'..=b'9' if point => {
                scale /= 10.0;
                value += f64::from(b - b'0') * scale;
            }
            b'0'..=b'9' => value = value * 10.0 + f64::from(b - b'0'),
            b'.' if !point => point = true,
            _ => return None,
        }
        seen |= b != b'.';
    }
    seen.then_some(if negative { -value } else { value })
}

/// `x^2.4` for `x` in [0.09, 1] (what sRGB linearisation needs), by Newton's method on `y^5 = x^12` from `x^2.5`: exact to the last
/// bits, without libm's `pow` in the bundle.
fn pow_2_4(x: f64) -> f64 {
    let x2 = x * x;
    let x12 = x2 * x2 * x2 * x2 * x2 * x2;
    let mut y = x2 * x.sqrt();
    for _ in 0..6 {
        let y4 = (y * y) * (y * y);
        y -= (y4 * y - x12) / (5.0 * y4);
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_and_rgb_colours() {
        assert_eq!(parse("#192d3f"), Some(Rgb(0x19, 0x2d, 0x3f)));
        assert_eq!(parse(crate::core::config::DEFAULT_THEME_COLOR), Some(DEFAULT_THEME));
        assert_eq!(parse(" #FFF "), Some(WHITE));
        assert_eq!(parse("#f008"), Some(Rgb(255, 119, 119)), "translucent red over white");
        assert_eq!(parse("#00000000"), Some(WHITE));
        assert_eq!(parse("rgb(10, 125, 90)"), Some(Rgb(10, 125, 90)));
        assert_eq!(parse("rgb(0 100 200 / 25%)"), Some(Rgb(191, 216, 241)));
        assert_eq!(parse("RGBA(100%,0%,0%,1)"), Some(Rgb(255, 0, 0)));
        assert_eq!(parse("rgba(255, 0, 0, 0.5)"), Some(Rgb(255, 128, 128)), "a canvas's form of translucent red");
        for bad in ["teal", "#12345", "#ggg", "#", "rgb(1,2)", "rgb(a,b,c)", "hsl(120,50%,50%)", "cmyk(1,2,3,4)", "", "rgb(1,2,3", "rgb(1,2,3,4,5)"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn hand_written_maths_matches_std() {
        for i in 90..=1000 {
            let x = f64::from(i) / 1000.0;
            assert!((pow_2_4(x) - x.powf(2.4)).abs() < 1e-12, "{x}");
        }
        assert_eq!(number("12"), Some(12.0));
        assert_eq!(number("-0.5"), Some(-0.5));
        assert_eq!(number(".25"), Some(0.25));
        assert_eq!(number("+3."), Some(3.0));
        for bad in ["", ".", "-", "1e3", "1.2.3", "0x10", "nan", "inf", "1234567890123"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag() {
        assert!((contrast(WHITE, Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the classic lightest grey with 4.5:1 on white.
        assert!(contrast(Rgb(0x76, 0x76, 0x76), WHITE) >= 4.5);
        assert!(contrast(Rgb(0x77, 0x77, 0x77), WHITE) < 4.5);
    }

    #[test]
    fn a_dark_theme_is_kept_with_white_text() {
        let p = palette(Rgb(0x19, 0x2d, 0x3f));
        assert_eq!((p.theme, p.on_theme, p.accent), (Rgb(0x19, 0x2d, 0x3f), WHITE, Rgb(0x19, 0x2d, 0x3f)));
    }

    #[test]
    fn a_light_theme_gets_dark_text_and_a_darker_accent() {
        let yellow = Rgb(0xff, 0xeb, 0x3b);
        let p = palette(yellow);
        assert_eq!((p.theme, p.on_theme), (yellow, INK));
        assert!(contrast(p.accent, SURFACE) >= MIN_CONTRAST);
        assert!(contrast(p.accent, WHITE) >= MIN_CONTRAST);
        assert_ne!(p.accent, yellow);
    }

    #[test]
    fn a_mid_tone_that_neither_text_colour_reads_on_is_darkened() {
        // Luminance ≈ 0.19: white gives < 4.5 and #111 too.
        let mid = Rgb(0x7a, 0x7a, 0x7a);
        assert!(contrast(mid, WHITE) < MIN_CONTRAST && contrast(mid, INK) < MIN_CONTRAST);
        let p = palette(mid);
        assert_eq!(p.on_theme, WHITE);
        assert!(contrast(p.theme, WHITE) >= MIN_CONTRAST);
        assert!(p.theme.0 < mid.0 && p.theme.0 == p.theme.1, "darkened, hue (grey) kept: {:?}", p.theme);
        assert_eq!(p.theme.hex().len(), 7);
    }

    #[test]
    fn every_theme_ends_readable() {
        for r in (0..=255).step_by(51) {
            for g in (0..=255).step_by(51) {
                for b in (0..=255).step_by(51) {
                    let p = palette(Rgb(r, g, b));
                    assert!(contrast(p.theme, p.on_theme) >= MIN_CONTRAST, "{r} {g} {b}");
                    assert!(contrast(p.accent, SURFACE) >= MIN_CONTRAST, "{r} {g} {b}");
                }
            }
        }
    }
}
