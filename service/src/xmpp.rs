//! The stack's XMPP server, Prosody (the default) or ejabberd, behind one type: provisioning, the
//! agent and the REST API use it the same way whichever runs.

use std::path::Path;

use crate::ejabberd::{Ejabberd, EjabberdError, EjabberdOptions};
use crate::log::Log;
use crate::prosody::{Prosody, ProsodyError, ProsodyOptions};

/// Which XMPP server to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XmppKind {
    /// Prosody 0.12 (Debian bookworm).
    #[default]
    Prosody,
    /// ejabberd 24.12 (Debian bookworm-backports).
    Ejabberd,
}

impl XmppKind {
    /// The name on the command line and in the state file: `prosody` or `ejabberd`.
    pub fn as_str(self) -> &'static str {
        match self {
            XmppKind::Prosody => "prosody",
            XmppKind::Ejabberd => "ejabberd",
        }
    }
}

impl std::str::FromStr for XmppKind {
    type Err = String;

    fn from_str(name: &str) -> Result<XmppKind, String> {
        match name {
            "prosody" => Ok(XmppKind::Prosody),
            "ejabberd" => Ok(XmppKind::Ejabberd),
            other => Err(format!("the XMPP server is prosody or ejabberd, not {other:?}")),
        }
    }
}

/// Why the XMPP server could not be started or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmppError {
    /// Prosody failed.
    #[error(transparent)]
    Prosody(#[from] ProsodyError),
    /// ejabberd failed.
    #[error(transparent)]
    Ejabberd(#[from] EjabberdError),
}

/// How to run the XMPP server.
#[derive(Clone)]
pub struct XmppOptions {
    /// Which server.
    pub kind: XmppKind,
    /// Client-to-server TCP port; `None` picks a free one.
    pub c2s_port: Option<u16>,
    /// HTTP port (BOSH, websocket, uploads); `None` picks a free one.
    pub http_port: Option<u16>,
    /// Minimum log level (`debug`, `info`, `warn`, `error`); `None` keeps the server's default.
    pub log_level: Option<String>,
    /// Where the server's output goes.
    pub log: Log,
}

/// A running XMPP server; dropping it stops the process and removes its data dir.
pub enum XmppServer {
    /// A running Prosody.
    Prosody(Prosody),
    /// A running ejabberd.
    Ejabberd(Ejabberd),
}

impl XmppServer {
    /// Starts the server `options` names and waits until BOSH answers.
    pub fn start(options: XmppOptions) -> Result<XmppServer, XmppError> {
        Ok(match options.kind {
            XmppKind::Prosody => {
                let defaults = ProsodyOptions::default();
                XmppServer::Prosody(Prosody::start_with(ProsodyOptions {
                    c2s_port: options.c2s_port,
                    http_port: options.http_port,
                    log_level: options.log_level.unwrap_or(defaults.log_level),
                    log: options.log,
                })?)
            }
            XmppKind::Ejabberd => {
                let defaults = EjabberdOptions::default();
                XmppServer::Ejabberd(Ejabberd::start_with(EjabberdOptions {
                    c2s_port: options.c2s_port,
                    http_port: options.http_port,
                    log_level: options.log_level.unwrap_or(defaults.log_level),
                    log: options.log,
                })?)
            }
        })
    }

    /// Which server this is.
    pub fn kind(&self) -> XmppKind {
        match self {
            XmppServer::Prosody(_) => XmppKind::Prosody,
            XmppServer::Ejabberd(_) => XmppKind::Ejabberd,
        }
    }

    /// Registers (or re-registers) `user@<host>` with `password`, by the server's own means.
    pub fn register(&self, user: &str, password: &str) -> Result<(), XmppError> {
        match self {
            XmppServer::Prosody(p) => Ok(p.register(user, password)?),
            XmppServer::Ejabberd(e) => Ok(e.register(user, password)?),
        }
    }

    /// The XMPP domain: `localhost`.
    pub fn host(&self) -> &str {
        match self {
            XmppServer::Prosody(p) => p.host(),
            XmppServer::Ejabberd(e) => e.host(),
        }
    }

    /// The MUC service: `conference.localhost`.
    pub fn muc_host(&self) -> &str {
        match self {
            XmppServer::Prosody(p) => p.muc_host(),
            XmppServer::Ejabberd(e) => e.muc_host(),
        }
    }

    /// The XEP-0363 upload service: `upload.localhost`.
    pub fn upload_host(&self) -> &str {
        match self {
            XmppServer::Prosody(p) => p.upload_host(),
            XmppServer::Ejabberd(e) => e.upload_host(),
        }
    }

    /// The BOSH endpoint (`/http-bind` on Prosody, `/bosh` on ejabberd).
    pub fn bosh_url(&self) -> String {
        match self {
            XmppServer::Prosody(p) => p.bosh_url(),
            XmppServer::Ejabberd(e) => e.bosh_url(),
        }
    }

    /// The websocket endpoint (`/xmpp-websocket` on Prosody, `/ws` on ejabberd).
    pub fn websocket_url(&self) -> String {
        match self {
            XmppServer::Prosody(p) => p.websocket_url(),
            XmppServer::Ejabberd(e) => e.websocket_url(),
        }
    }

    /// The client-to-server TCP port on 127.0.0.1 (plain, no TLS).
    pub fn c2s_port(&self) -> u16 {
        match self {
            XmppServer::Prosody(p) => p.c2s_port(),
            XmppServer::Ejabberd(e) => e.c2s_port(),
        }
    }

    /// The data dir (removed on drop).
    pub fn data_dir(&self) -> &Path {
        match self {
            XmppServer::Prosody(p) => p.data_dir(),
            XmppServer::Ejabberd(e) => e.data_dir(),
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        match self {
            XmppServer::Prosody(p) => p.pid(),
            XmppServer::Ejabberd(e) => e.pid(),
        }
    }

    /// True while the server process runs.
    pub fn is_running(&self) -> bool {
        match self {
            XmppServer::Prosody(p) => p.is_running(),
            XmppServer::Ejabberd(e) => e.is_running(),
        }
    }
}
