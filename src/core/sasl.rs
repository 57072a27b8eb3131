//! SASL authentication (RFC 6120 §6) with the mechanisms a browser client needs:
//! SCRAM-SHA-256 (RFC 7677), SCRAM-SHA-1 (RFC 5802) and PLAIN (RFC 4616).
//!
//! [`SaslClient::start`] gives the `<auth/>` element; every `<challenge/>`, `<success/>` or
//! `<failure/>` the server sends goes to [`SaslClient::handle`], which answers with the next
//! `<response/>` or reports success. SCRAM success is only reported once the server has proved
//! it knows the password (the `v=` server signature), so a server that skips that proof fails.
//!
//! The client nonce is an input (the driver draws it from a CSPRNG), so tests are deterministic.
//! Usernames and passwords are used as given: SASLprep (RFC 4013) is not applied, which matters
//! only for non-ASCII credentials.

use base64ct::{Base64, Encoding as _};
use hmac::digest::KeyInit;
use hmac::{Mac, SimpleHmac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::ns;
use super::xml::{name_at, name_index, Element};

/// Highest SCRAM iteration count accepted: deriving the key blocks the page for its duration, and
/// a hostile server could otherwise ask for billions of rounds.
const MAX_ITERATIONS: u32 = 1_000_000;

/// A SASL mechanism this client implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// `SCRAM-SHA-256` (RFC 7677).
    ScramSha256,
    /// `SCRAM-SHA-1` (RFC 5802).
    ScramSha1,
    /// `PLAIN` (RFC 4616): the password travels in clear inside the (TLS) transport.
    Plain,
}

/// The mechanisms' registered names, in variant order (which is [`Mechanism::PREFERENCE`]).
const MECHANISM_NAMES: [&str; 3] = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"];

impl Mechanism {
    /// Every mechanism, most preferred first.
    pub const PREFERENCE: [Mechanism; 3] = [Mechanism::ScramSha256, Mechanism::ScramSha1, Mechanism::Plain];

    /// The mechanism's registered name, as in `<mechanism/>` and `<auth mechanism='…'/>`.
    pub fn name(self) -> &'static str {
        name_at(&MECHANISM_NAMES, self as usize)
    }

    /// The mechanism registered under `name`, if this client implements it.
    pub fn from_name(name: &str) -> Option<Mechanism> {
        Mechanism::PREFERENCE.get(name_index(&MECHANISM_NAMES, name)?).copied()
    }
}

/// The mechanisms a `<stream:features/>` element offers, in the server's order.
pub fn offered_mechanisms(features: &Element) -> Vec<String> {
    let mut offered = Vec::new();
    if let Some(list) = features.find("mechanisms", ns::SASL) {
        for m in list.find_all("mechanism", ns::SASL) {
            offered.push(m.text_content().trim().to_owned());
        }
    }
    offered
}

/// The most preferred mechanism ([`Mechanism::PREFERENCE`]) that the server offers and `allowed`
/// contains.
#[allow(clippy::manual_find, reason = "a plain loop: `Iterator::find` would instantiate a `try_fold` per closure in the module")]
pub fn choose(offered: &[String], allowed: &[Mechanism]) -> Option<Mechanism> {
    for &m in &Mechanism::PREFERENCE {
        if allowed.contains(&m) && offered.iter().any(|o| o == m.name()) {
            return Some(m);
        }
    }
    None
}

/// A defined SASL failure condition (RFC 6120 §6.5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslCondition {
    /// `aborted`: the client aborted the exchange.
    Aborted,
    /// `account-disabled`: the account is disabled.
    AccountDisabled,
    /// `credentials-expired`: the credentials have expired.
    CredentialsExpired,
    /// `encryption-required`: the mechanism needs an encrypted stream.
    EncryptionRequired,
    /// `incorrect-encoding`: the client's base64 was wrong.
    IncorrectEncoding,
    /// `invalid-authzid`: the authorization identity is refused.
    InvalidAuthzid,
    /// `invalid-mechanism`: the server does not support the mechanism asked for.
    InvalidMechanism,
    /// `malformed-request`: the request was malformed.
    MalformedRequest,
    /// `mechanism-too-weak`: policy requires a stronger mechanism.
    MechanismTooWeak,
    /// `not-authorized`: wrong username or password.
    NotAuthorized,
    /// `temporary-auth-failure`: a temporary server error; retrying later may work.
    TemporaryAuthFailure,
    /// A condition this client does not know, by element name (empty when none was given).
    Other(String),
}

/// The defined conditions' names, in variant order.
const SASL_NAMES: [&str; 11] = [
    "aborted",
    "account-disabled",
    "credentials-expired",
    "encryption-required",
    "incorrect-encoding",
    "invalid-authzid",
    "invalid-mechanism",
    "malformed-request",
    "mechanism-too-weak",
    "not-authorized",
    "temporary-auth-failure",
];

impl SaslCondition {
    fn from_name(name: &str) -> SaslCondition {
        use SaslCondition::*;
        match name_index(&SASL_NAMES, name) {
            Some(0) => Aborted,
            Some(1) => AccountDisabled,
            Some(2) => CredentialsExpired,
            Some(3) => EncryptionRequired,
            Some(4) => IncorrectEncoding,
            Some(5) => InvalidAuthzid,
            Some(6) => InvalidMechanism,
            Some(7) => MalformedRequest,
            Some(8) => MechanismTooWeak,
            Some(9) => NotAuthorized,
            Some(10) => TemporaryAuthFailure,
            _ => Other(name.to_owned()),
        }
    }

    /// The condition's element name.
    pub fn as_str(&self) -> &str {
        use SaslCondition::*;
        // The variant's place in the name table: one lookup instead of a string per arm.
        let i = match self {
            Aborted => 0,
            AccountDisabled => 1,
            CredentialsExpired => 2,
            EncryptionRequired => 3,
            IncorrectEncoding => 4,
            InvalidAuthzid => 5,
            InvalidMechanism => 6,
            MalformedRequest => 7,
            MechanismTooWeak => 8,
            NotAuthorized => 9,
            TemporaryAuthFailure => 10,
            Other(name) => return name,
        };
        name_at(&SASL_NAMES, i)
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslError {
    /// None of the mechanisms the server offers (listed) is both implemented and allowed.
    NoAcceptableMechanism(Vec<String>),
    /// The server refused (`<failure/>`) with this condition and optional text.
    Failure {
        /// The defined condition.
        condition: SaslCondition,
        /// The server's human-readable explanation, if any.
        text: Option<String>,
    },
    /// A challenge or success payload is not valid base64 or SCRAM syntax; says which part.
    Malformed(&'static str),
    /// The server nonce does not extend the client nonce.
    NonceMismatch,
    /// The SCRAM iteration count is zero or above the bound this client accepts.
    IterationCount(u32),
    /// The server requires a SCRAM extension (`m=`) this client does not implement.
    UnsupportedExtension,
    /// The server reported a SCRAM error (`e=` in server-final-message).
    ServerError(String),
    /// SCRAM `<success/>` came without the server signature, so the server proved nothing.
    ServerSignatureMissing,
    /// The SCRAM server signature is wrong: the server does not know the password.
    ServerSignatureMismatch,
    /// A SASL element arrived that makes no sense at this step (e.g. a challenge to PLAIN).
    Unexpected(&'static str),
}

impl std::fmt::Display for SaslError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaslError::NoAcceptableMechanism(offered) => {
                write!(f, "no acceptable SASL mechanism among [{}]", offered.join(", "))
            }
            SaslError::Failure { condition, text: Some(text) } => {
                write!(f, "authentication failed: {} ({text})", condition.as_str())
            }
            SaslError::Failure { condition, text: None } => write!(f, "authentication failed: {}", condition.as_str()),
            SaslError::Malformed(what) => write!(f, "malformed SASL data: {what}"),
            SaslError::NonceMismatch => f.write_str("SCRAM server nonce does not extend the client nonce"),
            SaslError::IterationCount(i) => write!(f, "SCRAM iteration count {i} refused"),
            SaslError::UnsupportedExtension => f.write_str("SCRAM server requires an unsupported extension"),
            SaslError::ServerError(e) => write!(f, "SCRAM server error: {e}"),
            SaslError::ServerSignatureMissing => f.write_str("SCRAM success without server signature"),
            SaslError::ServerSignatureMismatch => f.write_str("SCRAM server signature mismatch"),
            SaslError::Unexpected(what) => write!(f, "unexpected SASL element: {what}"),
        }
    }
}

impl std::error::Error for SaslError {}

/// What to do after a server SASL element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslStep {
    /// Send this `<response/>` and wait for the next server element.
    Respond(Element),
    /// Authenticated (and, for SCRAM, the server proved it knows the password).
    Success,
}

/// The client side of one SASL exchange.
#[derive(Debug)]
pub struct SaslClient {
    state: State,
}

#[derive(Debug)]
enum State {
    /// PLAIN sent everything in `<auth/>`; only success or failure can follow.
    Plain,
    /// SCRAM in progress.
    Scram(Scram),
}

impl SaslClient {
    /// Starts authenticating `username` (the JID's local part) with `mechanism`, and returns the
    /// `<auth/>` element to send. `client_nonce` must be fresh CSPRNG output of at least 16
    /// printable ASCII characters; commas (which SCRAM forbids there) are dropped.
    pub fn start(mechanism: Mechanism, username: &str, password: &str, client_nonce: &str) -> (SaslClient, Element) {
        let (state, initial) = match mechanism {
            Mechanism::Plain => (State::Plain, format!("\0{username}\0{password}").into_bytes()),
            Mechanism::ScramSha1 | Mechanism::ScramSha256 => {
                let hash = if mechanism == Mechanism::ScramSha1 { ScramHash::Sha1 } else { ScramHash::Sha256 };
                let scram = Scram::new(hash, username, password, client_nonce);
                let first = scram.client_first();
                (State::Scram(scram), first.into_bytes())
            }
        };
        let auth = Element::new("auth", ns::SASL).attr("mechanism", mechanism.name()).text(&encode(&initial));
        (SaslClient { state }, auth)
    }

    /// Handles a `<challenge/>`, `<success/>` or `<failure/>` from the server.
    pub fn handle(&mut self, element: &Element) -> Result<SaslStep, SaslError> {
        if element.ns != ns::SASL {
            return Err(SaslError::Unexpected("element outside the SASL namespace"));
        }
        match element.name.as_str() {
            "failure" => Err(failure(element)),
            "challenge" => {
                let data = decode(&element.text_content())?;
                match &mut self.state {
                    State::Plain => Err(SaslError::Unexpected("challenge to PLAIN")),
                    State::Scram(scram) => {
                        let reply = scram.handle_challenge(&data)?;
                        Ok(SaslStep::Respond(Element::new("response", ns::SASL).text(&encode(reply.as_bytes()))))
                    }
                }
            }
            "success" => {
                let data = decode(&element.text_content())?;
                match &mut self.state {
                    State::Plain => Ok(SaslStep::Success),
                    State::Scram(scram) => scram.handle_success(&data).map(|()| SaslStep::Success),
                }
            }
            _ => Err(SaslError::Unexpected("unknown SASL element")),
        }
    }
}

fn failure(element: &Element) -> SaslError {
    // No condition child reads as the empty name, which is not in the table: `Other("")`.
    let condition = SaslCondition::from_name(element.condition(ns::SASL).map_or("", |e| &e.name));
    let text = element.child_text("text", ns::SASL).filter(|t| !t.is_empty());
    SaslError::Failure { condition, text }
}

/// Base64 for SASL payloads: empty data travels as `=` (RFC 6120 §6.4.2).
fn encode(data: &[u8]) -> String {
    if data.is_empty() {
        "=".to_owned()
    } else {
        Base64::encode_string(data)
    }
}

fn decode(text: &str) -> Result<Vec<u8>, SaslError> {
    let text = text.trim();
    if text.is_empty() || text == "=" {
        return Ok(Vec::new());
    }
    Base64::decode_vec(text).map_err(|_| SaslError::Malformed("base64 payload"))
}

/// The hash a SCRAM variant is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScramHash {
    Sha1,
    Sha256,
}

impl ScramHash {
    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha1 => mac::<SimpleHmac<Sha1>>(key, data),
            ScramHash::Sha256 => mac::<SimpleHmac<Sha256>>(key, data),
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha1 => Sha1::digest(data).to_vec(),
            ScramHash::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    /// `Hi()` of RFC 5802 §2.2, which is PBKDF2 with HMAC. `SimpleHmac` (here and in
    /// [`ScramHash::hmac`]) drives the hash through its plain `Digest` interface, which the
    /// module already holds for [`ScramHash::hash`]; it rehashes the padded key each round
    /// (twice the compressions of `Hmac`), a few milliseconds once per login.
    fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        // The output length of the hash (SHA-1: 20 bytes, SHA-256: 32).
        let mut out = vec![0u8; if self == ScramHash::Sha1 { 20 } else { 32 }];
        // HMAC takes keys of every length, so PBKDF2 cannot refuse the password.
        let _ = match self {
            ScramHash::Sha1 => pbkdf2::pbkdf2::<SimpleHmac<Sha1>>(password, salt, iterations, &mut out),
            ScramHash::Sha256 => pbkdf2::pbkdf2::<SimpleHmac<Sha256>>(password, salt, iterations, &mut out),
        };
        out
    }
}

fn mac<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of every length, so the empty fallback is never used.
    let Ok(mut m) = <M as Mac>::new_from_slice(key) else { return Vec::new() };
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// `saslname` escaping of RFC 5802 §5.1: `=` and `,` cannot appear raw in a SCRAM attribute.
fn saslname(name: &str) -> String {
    let mut escaped = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '=' => escaped.push_str("=3D"),
            ',' => escaped.push_str("=2C"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// GS2 header: no channel binding, no authorization identity. `n` (not `y`), because servers
/// such as ejabberd 24 refuse `y` over a stream they see as unbound.
const GS2_HEADER: &str = "n,,";

#[derive(Debug)]
struct Scram {
    hash: ScramHash,
    password: String,
    client_nonce: String,
    client_first_bare: String,
    step: ScramStep,
}

#[derive(Debug)]
enum ScramStep {
    /// client-first sent; waiting for server-first.
    ExpectServerFirst,
    /// client-final sent; the server must answer with this signature.
    ExpectServerFinal { server_signature: Vec<u8> },
    /// The server signature was verified inside a challenge; only `<success/>` may follow.
    Verified,
}

impl Scram {
    fn new(hash: ScramHash, username: &str, password: &str, client_nonce: &str) -> Scram {
        let mut nonce = String::new();
        for c in client_nonce.chars() {
            if c.is_ascii_graphic() && c != ',' {
                nonce.push(c);
            }
        }
        let client_nonce = nonce;
        let client_first_bare = format!("n={},r={client_nonce}", saslname(username));
        Scram { hash, password: password.to_owned(), client_nonce, client_first_bare, step: ScramStep::ExpectServerFirst }
    }

    fn client_first(&self) -> String {
        format!("{GS2_HEADER}{}", self.client_first_bare)
    }

    fn handle_challenge(&mut self, data: &[u8]) -> Result<String, SaslError> {
        match &self.step {
            ScramStep::ExpectServerFirst => self.client_final(data),
            ScramStep::ExpectServerFinal { server_signature } => {
                // Some servers put server-final in a challenge and send an empty <success/>.
                verify_server_final(data, server_signature)?;
                self.step = ScramStep::Verified;
                Ok(String::new())
            }
            ScramStep::Verified => Err(SaslError::Unexpected("challenge after server-final")),
        }
    }

    fn handle_success(&mut self, data: &[u8]) -> Result<(), SaslError> {
        match &self.step {
            ScramStep::ExpectServerFirst => Err(SaslError::ServerSignatureMissing),
            ScramStep::ExpectServerFinal { server_signature } => {
                if data.is_empty() {
                    return Err(SaslError::ServerSignatureMissing);
                }
                verify_server_final(data, server_signature)?;
                self.step = ScramStep::Verified;
                Ok(())
            }
            ScramStep::Verified => Ok(()),
        }
    }

    /// Reads server-first-message and computes client-final-message (RFC 5802 §3).
    fn client_final(&mut self, data: &[u8]) -> Result<String, SaslError> {
        let server_first = std::str::from_utf8(data).map_err(|_| SaslError::Malformed("server-first is not UTF-8"))?;
        if server_first.starts_with("m=") {
            return Err(SaslError::UnsupportedExtension);
        }
        let nonce = attribute(server_first, 'r').ok_or(SaslError::Malformed("server-first without nonce"))?;
        let salt = attribute(server_first, 's').ok_or(SaslError::Malformed("server-first without salt"))?;
        let iterations = attribute(server_first, 'i').ok_or(SaslError::Malformed("server-first without iteration count"))?;
        if !nonce.starts_with(&self.client_nonce) || nonce.len() <= self.client_nonce.len() {
            return Err(SaslError::NonceMismatch);
        }
        let salt = Base64::decode_vec(salt).map_err(|_| SaslError::Malformed("salt"))?;
        let iterations: u32 = iterations.parse().map_err(|_| SaslError::Malformed("iteration count"))?;
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return Err(SaslError::IterationCount(iterations));
        }

        // `biws` is GS2_HEADER in base64 (the channel-binding attribute repeats the header).
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let h = self.hash;
        let salted = h.salted_password(self.password.as_bytes(), &salt, iterations);
        let client_key = h.hmac(&salted, b"Client Key");
        let stored_key = h.hash(&client_key);
        let client_signature = h.hmac(&stored_key, auth_message.as_bytes());
        let mut proof = client_key;
        for (p, s) in proof.iter_mut().zip(&client_signature) {
            *p ^= s;
        }
        let server_key = h.hmac(&salted, b"Server Key");
        let server_signature = h.hmac(&server_key, auth_message.as_bytes());
        self.step = ScramStep::ExpectServerFinal { server_signature };
        Ok(format!("{without_proof},p={}", Base64::encode_string(&proof)))
    }
}

/// The value of SCRAM attribute `key` in a comma-separated message.
fn attribute(message: &str, key: char) -> Option<&str> {
    for part in message.split(',') {
        if let Some(value) = part.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')) {
            return Some(value);
        }
    }
    None
}

fn verify_server_final(data: &[u8], expected: &[u8]) -> Result<(), SaslError> {
    let text = std::str::from_utf8(data).map_err(|_| SaslError::Malformed("server-final is not UTF-8"))?;
    if let Some(error) = attribute(text, 'e') {
        return Err(SaslError::ServerError(error.to_owned()));
    }
    let signature = attribute(text, 'v').ok_or(SaslError::ServerSignatureMissing)?;
    let signature = Base64::decode_vec(signature).map_err(|_| SaslError::Malformed("server signature"))?;
    if signature != expected {
        return Err(SaslError::ServerSignatureMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sasl(name: &str, payload: &str) -> Element {
        Element::new(name, ns::SASL).text(&Base64::encode_string(payload.as_bytes()))
    }

    fn payload(e: &Element) -> String {
        String::from_utf8(Base64::decode_vec(&e.text_content()).unwrap()).unwrap()
    }

    #[test]
    fn chooses_by_preference_within_allowed() {
        let features = Element::parse(
            "<features xmlns='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism><mechanism>X-OAUTH2</mechanism>\
             </mechanisms></features>",
        )
        .unwrap();
        let offered = offered_mechanisms(&features);
        assert_eq!(offered, ["PLAIN", "SCRAM-SHA-1", "X-OAUTH2"]);
        assert_eq!(choose(&offered, &Mechanism::PREFERENCE), Some(Mechanism::ScramSha1));
        assert_eq!(choose(&offered, &[Mechanism::Plain]), Some(Mechanism::Plain));
        assert_eq!(choose(&offered, &[Mechanism::ScramSha256]), None);
        let all = vec!["SCRAM-SHA-1".to_owned(), "SCRAM-SHA-256".to_owned()];
        assert_eq!(choose(&all, &Mechanism::PREFERENCE), Some(Mechanism::ScramSha256));
        assert_eq!(Mechanism::from_name("DIGEST-MD5"), None);
    }

    #[test]
    fn plain_sends_authcid_and_password() {
        let (mut client, auth) = SaslClient::start(Mechanism::Plain, "user", "pencil", "unused");
        assert_eq!(auth.to_xml(), "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">AHVzZXIAcGVuY2ls</auth>");
        let success = Element::parse("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>").unwrap();
        assert_eq!(client.handle(&success), Ok(SaslStep::Success));
    }

    #[test]
    fn scram_sha1_rfc5802_vector() {
        let (mut client, auth) = SaslClient::start(Mechanism::ScramSha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(auth.get_attr("mechanism"), Some("SCRAM-SHA-1"));
        assert_eq!(payload(&auth), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        let step = client
            .handle(&sasl("challenge", "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"))
            .unwrap();
        let SaslStep::Respond(response) = step else { panic!("expected a response") };
        assert!(response.is("response", ns::SASL));
        assert_eq!(
            payload(&response),
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
        );
        assert_eq!(client.handle(&sasl("success", "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")), Ok(SaslStep::Success));
    }

    #[test]
    fn scram_sha256_rfc7677_vector() {
        let (mut client, auth) = SaslClient::start(Mechanism::ScramSha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(payload(&auth), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let step = client
            .handle(&sasl(
                "challenge",
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            ))
            .unwrap();
        let SaslStep::Respond(response) = step else { panic!("expected a response") };
        assert_eq!(
            payload(&response),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert_eq!(
            client.handle(&sasl("success", "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
            Ok(SaslStep::Success)
        );
    }

    fn sha1_after_first() -> SaslClient {
        let (mut client, _) = SaslClient::start(Mechanism::ScramSha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        client
            .handle(&sasl("challenge", "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"))
            .unwrap();
        client
    }

    #[test]
    fn server_final_in_a_challenge_then_empty_success() {
        let mut client = sha1_after_first();
        let step = client.handle(&sasl("challenge", "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")).unwrap();
        assert_eq!(step, SaslStep::Respond(Element::new("response", ns::SASL).text("=")));
        let success = Element::parse("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>").unwrap();
        assert_eq!(client.handle(&success), Ok(SaslStep::Success));
    }

    #[test]
    fn scram_refuses_a_server_that_proves_nothing() {
        let empty_success = Element::parse("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>").unwrap();
        assert_eq!(sha1_after_first().handle(&empty_success), Err(SaslError::ServerSignatureMissing));
        assert_eq!(
            sha1_after_first().handle(&sasl("success", "v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
            Err(SaslError::ServerSignatureMismatch)
        );
        assert_eq!(
            sha1_after_first().handle(&sasl("success", "e=invalid-proof")),
            Err(SaslError::ServerError("invalid-proof".into()))
        );
        // Success before any challenge: the server skipped SCRAM entirely.
        let (mut client, _) = SaslClient::start(Mechanism::ScramSha1, "user", "pencil", "abcdefghijklmnop");
        assert_eq!(client.handle(&empty_success), Err(SaslError::ServerSignatureMissing));
    }

    #[test]
    fn scram_rejects_bad_server_first() {
        let start = || SaslClient::start(Mechanism::ScramSha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL").0;
        let cases = [
            ("r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096", SaslError::NonceMismatch),
            ("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096", SaslError::NonceMismatch),
            ("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=0", SaslError::IterationCount(0)),
            ("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4000000000", SaslError::IterationCount(4_000_000_000)),
            ("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=many", SaslError::Malformed("iteration count")),
            ("r=fyko+d2lbbFgONRv9qkxdawLx,i=4096", SaslError::Malformed("server-first without salt")),
            ("m=ext,r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096", SaslError::UnsupportedExtension),
        ];
        for (server_first, expected) in cases {
            assert_eq!(start().handle(&sasl("challenge", server_first)), Err(expected), "{server_first}");
        }
        let not_base64 = Element::new("challenge", ns::SASL).text("*not base64*");
        assert_eq!(start().handle(&not_base64), Err(SaslError::Malformed("base64 payload")));
    }

    #[test]
    fn escapes_saslname_and_drops_commas_from_nonce() {
        let (_, auth) = SaslClient::start(Mechanism::ScramSha1, "a,b=c", "p", "no,nce");
        assert_eq!(payload(&auth), "n,,n=a=2Cb=3Dc,r=nonce");
    }

    #[test]
    fn failure_conditions_are_typed() {
        let mut client = SaslClient::start(Mechanism::Plain, "u", "p", "").0;
        let failure = Element::parse(
            "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text xml:lang='en'>Wrong password</text></failure>",
        )
        .unwrap();
        assert_eq!(
            client.handle(&failure),
            Err(SaslError::Failure { condition: SaslCondition::NotAuthorized, text: Some("Wrong password".into()) })
        );
        let failure =
            Element::parse("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><temporary-auth-failure/></failure>").unwrap();
        assert_eq!(
            client.handle(&failure),
            Err(SaslError::Failure { condition: SaslCondition::TemporaryAuthFailure, text: None })
        );
        let failure = Element::parse("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><account-disabled/></failure>").unwrap();
        assert!(matches!(client.handle(&failure), Err(SaslError::Failure { condition: SaslCondition::AccountDisabled, .. })));
        let challenge = sasl("challenge", "x");
        assert_eq!(client.handle(&challenge), Err(SaslError::Unexpected("challenge to PLAIN")));
    }
}
