//! The widget's palette from `theme_color`, with contrast checked and corrected (WCAG 2.x).
//!
//! The theme colour fills the icon, the header, the send button and the customer's bubbles, so
//! the text on it must reach 4.5:1: white when it does, else near-black when that does, else the
//! colour is darkened (its hue kept) until white does. An accent for text and focus rings on the
//! panel's light surfaces is the theme colour darkened until it reaches 4.5:1 on them.

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

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
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// `self` mixed toward black: `t` = 0 keeps it, 1 gives black.
    fn darken(self, t: f64) -> Rgb {
        let k = |c: u8| (f64::from(c) * (1.0 - t)).round() as u8;
        Rgb(k(self.0), k(self.1), k(self.2))
    }

    /// `self` darkened in 5 % steps until `ok` holds (black at worst).
    fn darken_until(self, ok: impl Fn(Rgb) -> bool) -> Rgb {
        (0..=20).map(|i| self.darken(f64::from(i) / 20.0)).find(|c| ok(*c)).unwrap_or(Rgb(0, 0, 0))
    }
}

/// The WCAG contrast ratio of two colours, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The palette of a theme colour (see the module documentation).
pub fn palette(theme: Rgb) -> Palette {
    let accent = theme.darken_until(|c| contrast(c, SURFACE) >= MIN_CONTRAST);
    if contrast(theme, WHITE) >= MIN_CONTRAST {
        return Palette { theme, on_theme: WHITE, accent };
    }
    if contrast(theme, INK) >= MIN_CONTRAST {
        return Palette { theme, on_theme: INK, accent };
    }
    let theme = theme.darken_until(|c| contrast(c, WHITE) >= MIN_CONTRAST);
    Palette { theme, on_theme: WHITE, accent }
}

/// Reads `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` and `hsl()`/`hsla()` (comma or
/// space syntax, `/ alpha`, percentages, `deg`/`turn` hues). Translucent colours are composed
/// over white, as the widget draws them. `None` for anything else (named colours: the browser
/// resolves those).
pub fn parse(s: &str) -> Option<Rgb> {
    let s = s.trim().to_ascii_lowercase();
    if let Some(hex) = s.strip_prefix('#') {
        return parse_hex(hex);
    }
    let (func, args) = s.strip_suffix(')')?.split_once('(')?;
    let args: Vec<&str> = args.split([',', ' ', '/']).filter(|a| !a.is_empty()).collect();
    if !(3..=4).contains(&args.len()) {
        return None;
    }
    let alpha = match args.get(3) {
        Some(a) => fraction(a, 1.0)?,
        None => 1.0,
    };
    let rgb = match func.trim() {
        "rgb" | "rgba" => {
            let c = |i: usize| args.get(i).and_then(|a| fraction(a, 255.0));
            [c(0)?, c(1)?, c(2)?]
        }
        "hsl" | "hsla" => {
            let hue = args.first().and_then(|h| hue_degrees(h))?;
            let sat = args.get(1).and_then(|a| a.strip_suffix('%')).and_then(|p| p.parse::<f64>().ok())? / 100.0;
            let light = args.get(2).and_then(|a| a.strip_suffix('%')).and_then(|p| p.parse::<f64>().ok())? / 100.0;
            hsl_to_rgb(hue, sat.clamp(0.0, 1.0), light.clamp(0.0, 1.0))
        }
        _ => return None,
    };
    let over_white = |c: f64| (c * alpha + (1.0 - alpha)).clamp(0.0, 1.0) * 255.0;
    let [r, g, b] = rgb.map(|c| over_white(c).round() as u8);
    Some(Rgb(r, g, b))
}

fn parse_hex(hex: &str) -> Option<Rgb> {
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| hex.get(i..=i).and_then(|d| u8::from_str_radix(d, 16).ok());
    let pair = |i: usize| hex.get(i..i + 2).and_then(|d| u8::from_str_radix(d, 16).ok());
    let (rgb, alpha) = match hex.len() {
        3 | 4 => ([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17], if hex.len() == 4 { digit(3)? * 17 } else { 255 }),
        6 | 8 => ([pair(0)?, pair(2)?, pair(4)?], if hex.len() == 8 { pair(6)? } else { 255 }),
        _ => return None,
    };
    let a = f64::from(alpha) / 255.0;
    let [r, g, b] = rgb.map(|c| (f64::from(c) * a + 255.0 * (1.0 - a)).round() as u8);
    Some(Rgb(r, g, b))
}

/// A number or percentage as a fraction of `full` (`"128"` of 255, `"50%"`), clamped to 0..1.
fn fraction(s: &str, full: f64) -> Option<f64> {
    let v = match s.strip_suffix('%') {
        Some(p) => p.parse::<f64>().ok()? / 100.0,
        None => s.parse::<f64>().ok()? / full,
    };
    v.is_finite().then(|| v.clamp(0.0, 1.0))
}

/// A CSS hue in degrees (`120`, `120deg`, `0.5turn`).
fn hue_degrees(s: &str) -> Option<f64> {
    let v = match (s.strip_suffix("deg"), s.strip_suffix("turn")) {
        (Some(d), _) => d.parse::<f64>().ok()?,
        (_, Some(t)) => t.parse::<f64>().ok()? * 360.0,
        _ => s.parse::<f64>().ok()?,
    };
    v.is_finite().then(|| v.rem_euclid(360.0))
}

/// The CSS Color 4 conversion, components 0..1.
fn hsl_to_rgb(hue: f64, sat: f64, light: f64) -> [f64; 3] {
    let f = |n: f64| {
        let k = (n + hue / 30.0) % 12.0;
        let a = sat * light.min(1.0 - light);
        light - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)
    };
    [f(0.0), f(8.0), f(4.0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_colour_syntaxes_config_accepts() {
        assert_eq!(parse("#192d3f"), Some(Rgb(0x19, 0x2d, 0x3f)));
        assert_eq!(parse(" #FFF "), Some(WHITE));
        assert_eq!(parse("#f008"), Some(Rgb(255, 119, 119)), "translucent red over white");
        assert_eq!(parse("#00000000"), Some(WHITE));
        assert_eq!(parse("rgb(10, 125, 90)"), Some(Rgb(10, 125, 90)));
        assert_eq!(parse("rgb(10 125 90 / 50%)"), Some(Rgb(133, 190, 173)));
        assert_eq!(parse("RGBA(100%,0%,0%,1)"), Some(Rgb(255, 0, 0)));
        assert_eq!(parse("hsl(120deg 100% 25%)"), Some(Rgb(0, 128, 0)));
        assert_eq!(parse("hsl(0.5turn, 100%, 50%)"), Some(Rgb(0, 255, 255)));
        assert_eq!(parse("hsla(240, 100%, 50%, 1)"), Some(Rgb(0, 0, 255)));
        for bad in ["teal", "#12345", "#ggg", "rgb(1,2)", "rgb(a,b,c)", "hsl(1,2,3)", "cmyk(1,2,3,4)", "", "rgb(1,2,3"] {
            assert_eq!(parse(bad), None, "{bad}");
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
