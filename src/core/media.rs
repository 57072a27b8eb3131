//! The URL utilities of the contract: `isImageUrl`, `isAudioUrl`, `isVideoUrl`, `isDocumentPdf`
//! and `getFileName`.
//!
//! They judge a URL by the extension of its last path segment, case-insensitively, ignoring the
//! query and the fragment, after percent-decoding. Nothing here fails: garbage in gives `false` or
//! an empty name. A `data:` URL is judged by its media type instead, since it has no path.

/// What a URL points at, as far as its extension tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// A picture the widget can show inline.
    Image,
    /// A sound the widget can play inline.
    Audio,
    /// A video the widget can play inline.
    Video,
    /// A PDF document.
    Pdf,
}

// Space-separated in one string each: a table of `&str`s adds an 8-byte pointer and length per
// entry that compresses poorly.
const IMAGE: &str = "png jpg jpeg jfif pjpeg gif webp bmp svg ico avif apng tif tiff heic heif";
const AUDIO: &str = "mp3 wav ogg oga opus m4a aac flac weba amr mpga";
const VIDEO: &str = "mp4 m4v webm mov ogv avi mkv 3gp mpeg mpg wmv";

/// Whether `ext` is one of the space-separated extensions in `list`.
fn listed(list: &str, ext: &str) -> bool {
    list.split(' ').any(|e| e == ext)
}

/// The kind of media `url` names, if its extension (or `data:` media type) is known.
pub fn kind(url: &str) -> Option<MediaKind> {
    if let Some(mime) = data_media_type(url) {
        return match mime.split('/').next() {
            Some("image") => Some(MediaKind::Image),
            Some("audio") => Some(MediaKind::Audio),
            Some("video") => Some(MediaKind::Video),
            _ if mime == "application/pdf" => Some(MediaKind::Pdf),
            _ => None,
        };
    }
    let name = file_name(url);
    let ext = name.rsplit_once('.').map(|(stem, ext)| (stem, ext.to_ascii_lowercase()));
    match ext {
        Some((stem, ext)) if !stem.is_empty() || !ext.is_empty() => {
            let ext = ext.as_str();
            if listed(IMAGE, ext) {
                Some(MediaKind::Image)
            } else if listed(AUDIO, ext) {
                Some(MediaKind::Audio)
            } else if listed(VIDEO, ext) {
                Some(MediaKind::Video)
            } else if ext == "pdf" {
                Some(MediaKind::Pdf)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `isImageUrl`.
pub fn is_image_url(url: &str) -> bool {
    kind(url) == Some(MediaKind::Image)
}

/// `isAudioUrl`.
pub fn is_audio_url(url: &str) -> bool {
    kind(url) == Some(MediaKind::Audio)
}

/// `isVideoUrl`.
pub fn is_video_url(url: &str) -> bool {
    kind(url) == Some(MediaKind::Video)
}

/// `isDocumentPdf`.
pub fn is_document_pdf(url: &str) -> bool {
    kind(url) == Some(MediaKind::Pdf)
}

/// `getFileName`: the last segment of the URL's path, percent-decoded; `""` when the path is
/// empty or ends with `/`. Works on absolute URLs, paths and bare names alike.
pub fn file_name(url: &str) -> String {
    let url = url.trim();
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let before_query = url.get(..end).unwrap_or("");
    let path = match crate::core::find_str(before_query, "://") {
        // Skip the authority, which is not a file name even when it has dots.
        Some(i) => before_query.get(i + 3..).and_then(|rest| rest.find('/').and_then(|j| rest.get(j..))).unwrap_or(""),
        None => before_query,
    };
    let segment = path.rsplit_once('/').map_or(path, |(_, last)| last);
    percent_decode(segment)
}

/// Percent-decodes `s` as UTF-8; a malformed escape is kept as it is, and invalid UTF-8 becomes
/// U+FFFD, so any input gives a usable name.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    // `String::from_utf8_lossy`'s rule (one U+FFFD per maximal invalid sequence, and for a
    // truncated one at the end) on top of `str::from_utf8`, which the module already holds.
    let mut text = String::with_capacity(out.len());
    let mut rest = out.as_slice();
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(e) => {
                let (valid, invalid) = rest.split_at(e.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                text.push('\u{FFFD}');
                rest = invalid.get(e.error_len().unwrap_or(invalid.len())..).unwrap_or_default();
            }
        }
    }
}

/// The media type of a `data:` URL, lower-cased, without parameters.
fn data_media_type(url: &str) -> Option<String> {
    let head = url.trim().get(..5)?;
    if !head.eq_ignore_ascii_case("data:") {
        return None;
    }
    let rest = url.trim().get(5..)?;
    let mime = rest.split([';', ',']).next()?.trim();
    Some(mime.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_case_insensitive_and_ignore_query_and_fragment() {
        assert!(is_image_url("https://cdn.example.com/a/Photo.JPG"));
        assert!(is_image_url("https://cdn.example.com/a/photo.png?X-Amz-Signature=abc.pdf#x.mp3"));
        assert!(is_image_url("/upload/x.webp#frag"));
        assert!(is_audio_url("https://h/voice.OGG"));
        assert!(is_audio_url("https://h/v/note.m4a?dl=1"));
        assert!(is_video_url("https://h/clip.MP4"));
        assert!(is_video_url("clip.webm"));
        assert!(is_document_pdf("https://h/files/Invoice%202024.PDF?token=1"));
        assert!(!is_document_pdf("https://h/files/invoice.pdf.exe"));
        assert!(!is_image_url("https://h/files/invoice.pdf"));
        assert!(!is_video_url("https://h/song.mp3"));
    }

    #[test]
    fn the_host_and_directories_are_not_file_names() {
        assert!(!is_image_url("https://images.png"));
        assert!(!is_image_url("https://h/dir.png/"));
        assert!(!is_image_url("https://h/png"));
        assert_eq!(file_name("https://example.com"), "");
        assert_eq!(file_name("https://example.com/"), "");
    }

    #[test]
    fn percent_encoded_names_are_decoded() {
        assert!(is_image_url("https://h/my%20photo%2Epng"));
        assert_eq!(file_name("https://h/up/Ann%C3%A9e%20report.pdf?x=1#y"), "Année report.pdf");
        assert_eq!(file_name("https://h/a/b/c.txt"), "c.txt");
        assert_eq!(file_name("c.txt"), "c.txt");
        assert_eq!(file_name("https://h/100%25%zz%4"), "100%%zz%4");
        assert_eq!(file_name("https://h/%FF.png"), "\u{FFFD}.png");
        // As `String::from_utf8_lossy`: one U+FFFD per invalid sequence, one for a truncated end.
        assert_eq!(percent_decode("a%E2%82b%C3%A9%F0%9F%98"), "a\u{FFFD}b\u{e9}\u{FFFD}");
        assert_eq!(percent_decode("%80%80x"), "\u{FFFD}\u{FFFD}x");
    }

    #[test]
    fn data_urls_go_by_media_type() {
        assert!(is_image_url("data:image/png;base64,iVBORw0KGgo="));
        assert!(is_audio_url("DATA:audio/ogg,xyz"));
        assert!(is_document_pdf("data:application/pdf;base64,JVBER"));
        assert!(!is_image_url("data:text/plain,hello.png"));
    }

    #[test]
    fn garbage_gives_false_and_empty_never_a_panic() {
        for junk in ["", " ", "?", "#", "%", "%%", "://", "http://", "🙂.png?", ".", "..", "data:", "a\u{0}b.mp3"] {
            let _ = (is_image_url(junk), is_audio_url(junk), is_video_url(junk), is_document_pdf(junk), file_name(junk));
        }
        assert!(!is_image_url(""));
        assert!(!is_image_url("."));
        assert_eq!(file_name(""), "");
        assert!(is_image_url("🙂.png"));
    }
}
