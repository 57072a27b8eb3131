//! XEP-0085 chat state notifications: `<active/>`, `<composing/>`, `<paused/>`, `<inactive/>`,
//! `<gone/>` in `http://jabber.org/protocol/chatstates`.

use super::ns;
use super::xml::Element;

/// A chat state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatState {
    /// Paying attention to the conversation.
    Active,
    /// Typing a message.
    Composing,
    /// Stopped typing for a while.
    Paused,
    /// Not paying attention.
    Inactive,
    /// Left the conversation.
    Gone,
}

impl ChatState {
    /// The element name, also the value the message object's `chat_state` and the `typing` event
    /// carry.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Active => "active",
            ChatState::Composing => "composing",
            ChatState::Paused => "paused",
            ChatState::Inactive => "inactive",
            ChatState::Gone => "gone",
        }
    }

    /// Reads a state name (`"composing"`); `None` for anything else.
    pub fn from_name(name: &str) -> Option<ChatState> {
        Some(match name {
            "active" => ChatState::Active,
            "composing" => ChatState::Composing,
            "paused" => ChatState::Paused,
            "inactive" => ChatState::Inactive,
            "gone" => ChatState::Gone,
            _ => return None,
        })
    }

    /// The chat state a message carries, if any. Unknown elements in the namespace are ignored.
    pub fn from_message(message: &Element) -> Option<ChatState> {
        for e in message.elements() {
            if let Some(state) = ChatState::from_name(&e.name).filter(|_| e.ns == ns::CHAT_STATES) {
                return Some(state);
            }
        }
        None
    }

    /// The element to put in a message.
    pub fn to_element(self) -> Element {
        Element::new(self.as_str(), ns::CHAT_STATES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_states_from_the_xep() {
        // XEP-0085 example 4 (trimmed).
        let m = Element::parse(
            "<message xmlns='jabber:client' from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat'>\
             <composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        )
        .unwrap();
        assert_eq!(ChatState::from_message(&m), Some(ChatState::Composing));
        for s in ["active", "composing", "paused", "inactive", "gone"] {
            let st = ChatState::from_name(s).unwrap();
            assert_eq!(st.as_str(), s);
            assert_eq!(ChatState::from_message(&Element::new("message", ns::CLIENT).child(st.to_element())), Some(st));
        }
    }

    #[test]
    fn ignores_unknown_and_foreign_elements() {
        let m = Element::parse(
            "<message xmlns='jabber:client'><typing xmlns='http://jabber.org/protocol/chatstates'/>\
             <paused xmlns='urn:other'/><body>hi</body></message>",
        )
        .unwrap();
        assert_eq!(ChatState::from_message(&m), None);
        assert_eq!(ChatState::to_element(ChatState::Paused).to_xml(), "<paused xmlns=\"http://jabber.org/protocol/chatstates\"/>");
    }
}
