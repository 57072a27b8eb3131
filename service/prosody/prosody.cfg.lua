-- Prosody configuration TEMPLATE for the exochat local chat service.
--
-- `exochat_service::xmpp::XmppServer` (with service/src/prosody.rs) renders it into a fresh data
-- dir and runs `prosody --config <data dir>/prosody.cfg.lua -F`. Placeholders, replaced before
-- start:
--   @@DATA_DIR@@   the fresh data dir (accounts, MUC rooms, archives, uploads all live there)
--   @@C2S_PORT@@   client-to-server TCP port on 127.0.0.1 (the simulated agent connects here)
--   @@HTTP_PORT@@  HTTP port on 127.0.0.1: BOSH at /http-bind, uploads at /file_share
--   @@LOG_LEVEL@@  minimum level written to stdout (debug, info, warn, error)
-- Everything listens on 127.0.0.1 only, without TLS: it is a development stand-in, never a server.

run_as_root = true
data_path = "@@DATA_DIR@@"
-- Prosody looks for certificates next to the config file; the folder exists, empty.
certificates = "@@DATA_DIR@@/certs"
pidfile = "@@DATA_DIR@@/prosody.pid"
log = { { levels = { min = "@@LOG_LEVEL@@" }, to = "console" } }

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { @@C2S_PORT@@ }
c2s_direct_tls_ports = { }
s2s_ports = { }
http_interfaces = { "127.0.0.1" }
http_ports = { @@HTTP_PORT@@ }
https_ports = { }
-- HTTP is routed by the Host header; pages reach us as 127.0.0.1:PORT, which must land on our host.
http_default_host = "localhost"

modules_enabled = {
	"roster"; "saslauth"; "disco"; "ping"; "time"; "version";
	"bosh"; "websocket"; "smacks"; "register"; "mam"; "carbons"; "private"; "vcard_legacy";
}
modules_disabled = { "s2s"; "tls"; "offline"; }

-- Loopback only and no TLS: let clients authenticate in the clear.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
consider_bosh_secure = true
consider_websocket_secure = true
authentication = "internal_hashed"
storage = "internal"
-- In-band registration (XEP-0077) for tools that prefer it; provisioning uses prosodyctl.
allow_registration = true
min_seconds_between_registrations = 0
-- BOSH, websocket and uploads answer CORS for any origin by default in 0.12 (the demo page and
-- the SDK's tests run on other origins).
bosh_max_inactivity = 60

VirtualHost "localhost"

Component "conference.localhost" "muc"
	modules_enabled = { "muc_mam" }
	-- Rooms open at once on first join (no 201 "locked" step), survive empty, and are archived.
	muc_room_locking = false
	muc_room_default_persistent = true
	muc_room_default_public = false
	muc_log_all_rooms = true
	muc_log_by_default = true
	max_history_messages = 50
	muc_log_expires_after = "never"

Component "upload.localhost" "http_file_share"
	-- Slots name 127.0.0.1:PORT so a page can PUT and GET without DNS for upload.localhost.
	http_host = "localhost"
	http_external_url = "http://127.0.0.1:@@HTTP_PORT@@/"
	http_file_share_size_limit = 16 * 1024 * 1024
	http_file_share_expires_after = -1
