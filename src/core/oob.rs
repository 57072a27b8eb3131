//! XEP-0066 out-of-band data in messages: `<x xmlns='jabber:x:oob'><url/><desc/></x>`, one per
//! file. The spec sends every file of a `media_msg` this way.

use super::config::is_http_url;
use super::ns;
use super::xml::Element;

/// One out-of-band file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oob {
    /// Where the file is.
    pub url: String,
    /// Its description (we put the file name there), if any.
    pub desc: Option<String>,
}

impl Oob {
    /// Every `<x xmlns='jabber:x:oob'/>` of a message that names an `http:` or `https:` URL.
    /// Other schemes (`javascript:`, `data:`, `file:`) are dropped: pages render these as links.
    pub fn from_message(message: &Element) -> Vec<Oob> {
        let mut files = Vec::new();
        for x in message.find_all("x", ns::OOB) {
            let Some(url) = x.child_text("url", ns::OOB) else { continue };
            let url = url.trim();
            if is_http_url(url) {
                let desc = x.child_text("desc", ns::OOB).map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
                files.push(Oob { url: url.to_owned(), desc });
            }
        }
        files
    }

    /// The element to put in a message; `<desc/>` only when there is one.
    pub fn to_element(&self) -> Element {
        let mut x = Element::new("x", ns::OOB).child(Element::new("url", ns::OOB).text(&self.url));
        if let Some(desc) = &self.desc {
            x.push(Element::new("desc", ns::OOB).text(desc));
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_xep_example() {
        // XEP-0066 example 5.
        let m = Element::parse(
            "<message xmlns='jabber:client' from='stpeter@jabber.org/work' to='MaineBoy@jabber.org/home'>\
             <body>Yeah, but do you have a license to Jabber?</body>\
             <x xmlns='jabber:x:oob'><url>http://www.jabber.org/images/psa-license.jpg</url></x></message>",
        )
        .unwrap();
        assert_eq!(Oob::from_message(&m), vec![Oob { url: "http://www.jabber.org/images/psa-license.jpg".into(), desc: None }]);
    }

    #[test]
    fn round_trips_several_files_in_order() {
        let files = vec![
            Oob { url: "https://h.example/a.png".into(), desc: Some("a.png".into()) },
            Oob { url: "https://h.example/b%20c.pdf".into(), desc: None },
        ];
        let mut m = Element::new("message", ns::CLIENT);
        for f in &files {
            m.push(f.to_element());
        }
        let parsed = Element::parse(&m.to_xml()).unwrap();
        assert_eq!(Oob::from_message(&parsed), files);
    }

    #[test]
    fn drops_missing_and_hostile_urls() {
        let m = Element::parse(
            "<message xmlns='jabber:client'><x xmlns='jabber:x:oob'><desc>no url</desc></x>\
             <x xmlns='jabber:x:oob'><url>javascript:alert(1)</url></x>\
             <x xmlns='jabber:x:oob'><url>  </url></x><x xmlns='jabber:x:data'><url>https://x.example/</url></x>\
             <x xmlns='jabber:x:oob'><url> https://ok.example/f.txt </url><desc> </desc></x></message>",
        )
        .unwrap();
        assert_eq!(Oob::from_message(&m), vec![Oob { url: "https://ok.example/f.txt".into(), desc: None }]);
    }
}
