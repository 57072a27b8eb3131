//! The widget's words in each locale, chosen by `config.locale`, and the locale tag handed to the
//! browser's `Intl` for numbers and dates.
//!
//! One struct of `&'static str` per locale: a missing translation is a compile error, and a
//! lookup costs nothing. A `{}` in a string is where [`fill`] puts a value (a nick, a count).

/// Every string the widget shows or announces.
#[derive(Debug)]
pub struct Strings {
    /// The `lang` attribute of the widget's DOM.
    pub lang: &'static str,
    /// The icon button's label.
    pub open_chat: &'static str,
    /// Appended to the icon's label when messages wait: `{}` is the count.
    pub unread: &'static str,
    /// The panel's title before an agent joins.
    pub title: &'static str,
    /// Minimise button.
    pub minimise: &'static str,
    /// End-chat button.
    pub end_chat: &'static str,
    /// The question before ending the chat.
    pub end_confirm: &'static str,
    /// Confirms ending the chat.
    pub end_yes: &'static str,
    /// Cancels (ending the chat, an upload).
    pub cancel: &'static str,
    /// Connection status: `connecting`, `online`, `reconnecting`, `offline`, in that order.
    pub status: [&'static str; 4],
    /// The message list's label.
    pub messages: &'static str,
    /// How the customer's own messages are attributed (for screen readers).
    pub you: &'static str,
    /// A sender without a nick.
    pub agent: &'static str,
    /// `{}` joined.
    pub joined: &'static str,
    /// `{}` left.
    pub left: &'static str,
    /// `{}` is typing.
    pub typing: &'static str,
    /// The pill that scrolls to messages that arrived while the customer read older ones.
    pub new_messages: &'static str,
    /// Date separator of today.
    pub today: &'static str,
    /// Date separator of yesterday.
    pub yesterday: &'static str,
    /// Own-message status: `pending`, `sent`, `delivered`, `displayed`, `failed`, in that order.
    pub ticks: [&'static str; 5],
    /// The composer's label and placeholder.
    pub placeholder: &'static str,
    /// Send button.
    pub send: &'static str,
    /// Attach button.
    pub attach: &'static str,
    /// Shown while files are dragged over the panel.
    pub drop_here: &'static str,
    /// The upload line: `{}` is the file name.
    pub uploading: &'static str,
    /// A refused or failed file: `{}` is the file name.
    pub upload_failed: &'static str,
    /// The banner once the chat ended.
    pub ended: &'static str,
    /// The link to the feedback page after the chat ended (a fallback where the browser blocked the
    /// tab the SDK opened).
    pub feedback_link: &'static str,
    /// The rating form's question.
    pub feedback_title: &'static str,
    /// A star's label: `{}` is the rating.
    pub stars: &'static str,
    /// The comment field's label.
    pub comment: &'static str,
    /// Submit button of the rating form.
    pub submit: &'static str,
    /// Asked when the form is submitted without a rating.
    pub pick_rating: &'static str,
    /// After the rating was accepted.
    pub thanks: &'static str,
    /// After the rating could not be sent.
    pub feedback_error: &'static str,
    /// The pre-chat form's introduction.
    pub prechat: &'static str,
    /// Pre-chat field: full name.
    pub name: &'static str,
    /// Pre-chat field: email.
    pub email: &'static str,
    /// Pre-chat field: phone.
    pub phone: &'static str,
    /// Pre-chat submit button.
    pub start: &'static str,
    /// While the chat is being set up.
    pub connecting: &'static str,
    /// When it could not be set up: followed by the reason.
    pub start_failed: &'static str,
    /// Opens an image in a new tab: `{}` is its name.
    pub open_image: &'static str,
    /// Size units, smallest first.
    pub units: [&'static str; 4],
}

/// English, the default.
pub const EN: Strings = Strings {
    lang: "en",
    open_chat: "Open chat",
    unread: "{} unread",
    title: "Chat with us",
    minimise: "Minimise chat",
    end_chat: "End chat",
    end_confirm: "End this chat?",
    end_yes: "End chat",
    cancel: "Cancel",
    status: ["Connecting…", "Online", "Reconnecting…", "Offline"],
    messages: "Messages",
    you: "You",
    agent: "Agent",
    joined: "{} joined the chat",
    left: "{} left the chat",
    typing: "{} is typing…",
    new_messages: "New messages",
    today: "Today",
    yesterday: "Yesterday",
    ticks: ["Sending", "Sent", "Delivered", "Read", "Not sent"],
    placeholder: "Type a message",
    send: "Send",
    attach: "Attach files",
    drop_here: "Drop files to send them",
    uploading: "Uploading {}",
    upload_failed: "Could not send {}",
    ended: "This chat has ended.",
    feedback_link: "Give feedback",
    feedback_title: "How was your chat?",
    stars: "{} out of 5",
    comment: "Comments (optional)",
    submit: "Submit",
    pick_rating: "Please choose a rating.",
    thanks: "Thank you for your feedback!",
    feedback_error: "Your feedback could not be sent. Please try again.",
    prechat: "Tell us who you are and we will connect you to an agent.",
    name: "Full name",
    email: "Email",
    phone: "Phone",
    start: "Start chat",
    connecting: "Connecting you to an agent…",
    start_failed: "The chat could not start:",
    open_image: "Open image {}",
    units: ["B", "KB", "MB", "GB"],
};

/// Hindi (`locale: "hi"`).
pub const HI: Strings = Strings {
    lang: "hi",
    open_chat: "चैट खोलें",
    unread: "{} अपठित",
    title: "हमसे चैट करें",
    minimise: "चैट छोटा करें",
    end_chat: "चैट समाप्त करें",
    end_confirm: "क्या यह चैट समाप्त करें?",
    end_yes: "समाप्त करें",
    cancel: "रद्द करें",
    status: ["कनेक्ट हो रहा है…", "ऑनलाइन", "फिर से कनेक्ट हो रहा है…", "ऑफ़लाइन"],
    messages: "संदेश",
    you: "आप",
    agent: "एजेंट",
    joined: "{} चैट में शामिल हुए",
    left: "{} ने चैट छोड़ दी",
    typing: "{} लिख रहे हैं…",
    new_messages: "नए संदेश",
    today: "आज",
    yesterday: "कल",
    ticks: ["भेजा जा रहा है", "भेजा गया", "पहुँच गया", "पढ़ लिया गया", "नहीं भेजा जा सका"],
    placeholder: "संदेश लिखें",
    send: "भेजें",
    attach: "फ़ाइलें जोड़ें",
    drop_here: "भेजने के लिए फ़ाइलें यहाँ छोड़ें",
    uploading: "{} अपलोड हो रही है",
    upload_failed: "{} नहीं भेजी जा सकी",
    ended: "यह चैट समाप्त हो गई है।",
    feedback_link: "प्रतिक्रिया दें",
    feedback_title: "आपकी चैट कैसी रही?",
    stars: "5 में से {}",
    comment: "टिप्पणी (वैकल्पिक)",
    submit: "भेजें",
    pick_rating: "कृपया रेटिंग चुनें।",
    thanks: "आपकी प्रतिक्रिया के लिए धन्यवाद!",
    feedback_error: "आपकी प्रतिक्रिया नहीं भेजी जा सकी। कृपया फिर से कोशिश करें।",
    prechat: "अपना परिचय दें, हम आपको एक एजेंट से जोड़ेंगे।",
    name: "पूरा नाम",
    email: "ईमेल",
    phone: "फ़ोन",
    start: "चैट शुरू करें",
    connecting: "आपको एजेंट से जोड़ा जा रहा है…",
    start_failed: "चैट शुरू नहीं हो सकी:",
    open_image: "छवि खोलें: {}",
    units: ["B", "KB", "MB", "GB"],
};

/// The strings of `locale` (`"hi"`, `"hi-IN"`, `"hi_IN"` → Hindi; anything else English).
pub fn strings(locale: &str) -> &'static Strings {
    if language(locale).eq_ignore_ascii_case("hi") {
        &HI
    } else {
        &EN
    }
}

/// `template` with its first `{}` replaced by `value`.
pub fn fill(template: &str, value: &str) -> String {
    match crate::core::find_str(template, "{}") {
        Some(i) => [template.get(..i).unwrap_or(""), value, template.get(i + 2..).unwrap_or("")].concat(),
        None => template.to_owned(),
    }
}

/// The primary language subtag of `locale`, in its own case.
fn language(locale: &str) -> &str {
    locale.trim().split(['-', '_']).next().unwrap_or("")
}

/// A tag `Intl` accepts without throwing: `language[-REGION]` (`hi`, `en-IN`, `es-419`), with
/// `_` read as `-`; other subtags are dropped, and a malformed language gives the strings' own.
pub fn intl_locale(locale: &str) -> String {
    let mut parts = locale.trim().split(['-', '_']);
    let lang = parts.next().unwrap_or("");
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return strings(locale).lang.to_owned();
    }
    let mut tag = lang.to_ascii_lowercase();
    let region = |p: &&str| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic())) || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(region) = parts.find(region) {
        tag.push('-');
        tag.push_str(&region.to_ascii_uppercase());
    }
    tag
}

/// A byte count as a number to format and the index of its unit in [`Strings::units`]
/// (1024-based, one decimal above bytes is left to the number formatter).
pub fn file_size(bytes: f64) -> (f64, usize) {
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    while value >= 1024.0 && unit < 3 {
        value /= 1024.0;
        unit += 1;
    }
    (value, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_the_strings() {
        assert_eq!(strings("hi").lang, "hi");
        assert_eq!(strings("HI-in").send, "भेजें");
        assert_eq!(strings("hi_IN").lang, "hi");
        for other in ["en", "en-GB", "", "fr", "hindi"] {
            assert_eq!(strings(other).lang, "en", "{other}");
        }
    }

    #[test]
    fn every_string_is_translated_and_templates_keep_their_slot() {
        let pairs = [
            (EN.joined, HI.joined),
            (EN.left, HI.left),
            (EN.typing, HI.typing),
            (EN.unread, HI.unread),
            (EN.uploading, HI.uploading),
            (EN.upload_failed, HI.upload_failed),
            (EN.stars, HI.stars),
            (EN.open_image, HI.open_image),
        ];
        for (en, hi) in pairs {
            assert!(en.contains("{}") && hi.contains("{}"), "{en} / {hi}");
        }
        assert_ne!(EN.title, HI.title);
        assert!(HI.ticks.iter().zip(EN.ticks).all(|(h, e)| !h.is_empty() && *h != e));
        assert_eq!(fill(HI.joined, "Asha"), "Asha चैट में शामिल हुए");
        assert_eq!(fill("{} of {}", "1"), "1 of {}");
        assert_eq!(fill("no place", "1"), "no place");
        assert_eq!(fill(EN.typing, "<b>x</b>"), "<b>x</b> is typing…", "values are text; the DOM gets them as text");
    }

    #[test]
    fn intl_locales_never_throw() {
        assert_eq!(intl_locale("hi"), "hi");
        assert_eq!(intl_locale("en_in"), "en-IN");
        assert_eq!(intl_locale("zh-hant-tw"), "zh-TW");
        assert_eq!(intl_locale("es-419"), "es-419");
        assert_eq!(intl_locale("en-12"), "en");
        assert_eq!(intl_locale("en-a-b"), "en");
        assert_eq!(intl_locale("x"), "en");
        assert_eq!(intl_locale("hindi"), "en");
        assert_eq!(intl_locale("1234"), "en");
        assert_eq!(intl_locale(""), "en");
    }

    #[test]
    fn file_sizes_pick_a_unit() {
        assert_eq!(file_size(0.0), (0.0, 0));
        assert_eq!(file_size(1023.0), (1023.0, 0));
        assert_eq!(file_size(1536.0), (1.5, 1));
        assert_eq!(file_size(5.0 * 1024.0 * 1024.0), (5.0, 2));
        assert_eq!(file_size(3.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0), (3072.0, 3));
        assert_eq!(file_size(-4.0), (0.0, 0));
    }
}
