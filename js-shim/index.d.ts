// Types of exochat's public API: `window.exoChat` (script tag) and the ESM entry (bundlers).
// Hand-written because wasm-bindgen cannot express the config, callback and event unions of the
// contract; the raw WebAssembly class behind the facade is internal.

/** The object passed to `exoChat.initialize`. Keys with defaults may be omitted. */
export interface ExoChatConfig {
  /** Base URL of the chat service (REST), e.g. `https://omni.example.com:4440`. */
  chat_service_domain: string;
  /** Base URL of the CMS service (feedback configuration), e.g. `https://omni.example.com:4433`. */
  cms_service_domain: string;
  /** The BOSH endpoint, e.g. `https://omni.example.com:4442/http-bind/`. */
  converse_bosh_service_url: string;
  /** `"RestrictedToken <token>"`, sent as the `Authorization` header. */
  auth_token: string;
  /** Numeric id of the contact centre. */
  contactCenterId: number;
  /** Campaign the chat is routed into. Default `1`. */
  campaignId?: number;
  /** Nodeflow (IVA) id. Default `5`. */
  nodeflowId?: number;
  /** Process id of the feedback lookup. Default `4`. */
  processId?: number;
  /** UI locale, e.g. `"en"` (default), `"hi"`. */
  locale?: string;
  /** Account id header for multi-tenant setups. Default `null`. */
  accountId?: string | null;
  /** Brand colour: `#rgb`, `#rrggbb`, a named colour or `rgb()`/`hsl()`. Default `"#192d3f"`. */
  theme_color?: string;
  /** Show the chat icon at once. Default `true`. */
  show_controlbox_by_default?: boolean;
  /** Layout: `""`/`"overlayed"` (floating, default), `"fullscreen"`, `"embedded"`. */
  view_mode?: "" | "overlayed" | "fullscreen" | "embedded";
  /** Additive. With `view_mode: "embedded"` (required there): a CSS selector of the page element the chat panel fills, e.g. `"#support-chat"`. */
  container?: string;
}

/** An Error thrown or rejected by exoChat. */
export interface ExoChatError extends Error {
  /**
   * Stable code: `invalid_config`, `already_initialized`, `not_initialized`, `bad_argument`,
   * `load_failed`, `not_connected` (no chat session), `not_in_room`, `network_error` (a REST call
   * got no answer), `http_status` (a REST call answered non-2xx; see `status`), `bad_response`,
   * `xmpp_failed` (the `errorData` of a `startChat` rejection), `join_failed`.
   */
  code: string;
  /** For `invalid_config`: the config key at fault. */
  key?: string;
  /** For `http_status`: the HTTP status. */
  status?: number;
}

/**
 * How `startChat` rejects when the REST call succeeded but XMPP failed (BOSH unreachable, login
 * or room join refused). A non-2xx REST answer rejects with its status text (a `string`), a
 * network failure with an `ExoChatError` (`network_error`).
 */
export interface StartChatXmppFailure {
  /** Why (`code: "xmpp_failed"`). */
  errorData: ExoChatError;
  /** The room the service provisioned. */
  roomJid: string;
  /** The XMPP account the service provisioned. */
  customerJid: string;
}

/** `startChat` parameters; extra top-level keys are merged into `additionalInfo`. */
export interface StartChatParams {
  fullName: string;
  email: string;
  phone: string;
  user_id?: string | null;
  session_id?: string | null;
  additionalInfo?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A room occupant. */
export interface Occupant {
  nick: string;
  /** `moderator`, `participant`, `visitor` or `none`. */
  role: string;
  /** `owner`, `admin`, `member`, `outcast` or `none`. */
  affiliation: string;
  /** Real JID, when the room reveals it. */
  jid: string | null;
  /** XEP-0421 occupant id, when the room assigns them. */
  occupant_id: string | null;
}

/** The fields of a room, readable directly or through `get(name)` / `attributes`. */
export interface RoomFields {
  jid: string;
  nick: string;
  occupants: Occupant[];
  /** From the provisioning response (`startChat` only). */
  exportTranscriptAllowed?: boolean;
}

/** What `startChat` and `joinRoom` resolve with (readable like a Converse room model too). */
export interface Room extends RoomFields {
  get<K extends keyof RoomFields>(name: K): RoomFields[K];
  attributes: RoomFields;
}

/** A file attached to a message. */
export interface ChatFile {
  url: string;
  name: string;
}

/** A chat message as `messageReceived` delivers it. */
export interface Message {
  /** XMPP stanza id (the sender's origin-id, else the room's stanza-id). */
  id: string;
  /** The id receipts and markers name (`sendDisplayedReceipt(from_muc, msgid)`); `""` for archived messages. */
  msgid: string;
  body: string;
  /** `room@conference.domain/nick`. */
  from: string;
  /** The bare room JID. */
  from_muc: string;
  from_real_jid: string | null;
  to: string;
  nick: string;
  occupant_id: string | null;
  sender: "agent" | "me";
  type: "groupchat";
  chat_state: "active" | "composing" | "paused" | "inactive" | "gone" | null;
  /** ISO 8601: the delay stamp for history, else the receive time. */
  time: string;
  /** Local receive time, ms since the Unix epoch. */
  received: number;
  /** Alias of `body`. */
  message: string;
  subtype: "normal_text_msg" | "media_msg" | "form_msg" | null;
  files: ChatFile[] | null;
  userRole: "agent" | "bot" | "supervisor" | null;
  is_markable: boolean;
  is_marker: boolean;
  marker_id: string | null;
  receipt_id: string | null;
  displayed: boolean;
  interaction_data: { chatId: string; interaction_id: string } | null;
  chatEnded: boolean;
  /** `true` on messages replayed by `fetchArchivedMessages` (absent otherwise). */
  archived?: true;
}

/** What `requestUploadServiceInfo` resolves with: the disco#info result. */
export interface DiscoInfo {
  node: string | null;
  identities: { category: string; type: string; name: string | null }[];
  /** Feature namespaces, e.g. `urn:xmpp:http:upload:0`. */
  features: string[];
  /** XEP-0128 extension forms (the upload service's `max-file-size`). */
  forms: { form_type: string | null; fields: { var: string; values: string[] }[] }[];
}

/** The CMS feedback configuration. */
export interface FeedbackConfig {
  isFeedbackEnabled: boolean;
  openInNewTab: boolean;
  feedbackUrl: string;
  [extra: string]: unknown;
}

/** An occupant other than the customer (`agentJoined` / `agentLeft`). */
export interface AgentInfo {
  roomJid: string;
  nick: string;
  /** `moderator`, `participant`, `visitor` or `none`. */
  role: string;
  occupant_id: string | null;
}

/** Arguments of each event, as `on` callbacks receive them. */
export interface ExoChatEvents {
  /** Every room message with a body, files or a chat end (own ones with `sender: "me"`), every `receiveMessage`, every archived message replayed. */
  messageReceived: [message: Message];
  /** After the SDK sent a XEP-0333 `displayed` marker (once per msgid). */
  displayedReceipt: [roomJid: string, msgid: string];
  /** After the SDK sent a XEP-0184 `received` receipt (by itself when asked, or `sendReceiveReceipt`; once per msgid). */
  receiveReceipt: [roomJid: string, msgid: string];
  /** Additive: someone other than the customer is in the room (also those already there when the customer joins). */
  agentJoined: [info: AgentInfo];
  /** Additive: someone other than the customer left the room. */
  agentLeft: [info: AgentInfo];
  /** Additive: another occupant's chat state (XEP-0085). */
  typing: [info: { roomJid: string; nick: string; state: "composing" | "paused" | "active" | "inactive" | "gone" }];
  /** Additive: an own message's progress: `pending` (sent), `sent` (the room reflected it), `delivered` (receipt), `displayed` (marker), `failed` (bounced). */
  messageStatus: [info: { roomJid: string; msgid: string; status: "pending" | "sent" | "delivered" | "displayed" | "failed" }];
  /** Additive: the XMPP session; `reason` says why it went `reconnecting` or `offline` (`null` after `logout`). */
  connectionStatus: [info: { status: "connecting" | "online" | "reconnecting" | "offline"; reason: string | null }];
  /** Additive: the agent closed the chat (after the `messageReceived` carrying the end). */
  chatEnded: [info: { roomJid: string; chatId: string; interaction_id: string }];
  /** Additive: bytes of a file upload sent so far. */
  uploadProgress: [info: { name: string; loaded: number; total: number }];
}

/** `window.exoChat`. */
export interface ExoChat {
  /** Resolves once the WebAssembly module has loaded (and queued calls ran); rejects with an `ExoChatError` (`load_failed`) if it cannot load. */
  readonly ready: Promise<ExoChat>;
  /** Merges defaults, validates (throws naming the bad key), injects `#exotel-chat-icon`. Once per page: a second call throws `already_initialized`. */
  initialize(config: ExoChatConfig): void;
  /** Rejects with a `StartChatXmppFailure`, the HTTP status text (`string`), or an `ExoChatError`. */
  startChat(params: StartChatParams): Promise<Room>;
  logout(): void;
  /** Our presence (`"online"`, `"away"`, …) while connected, else `"offline"`. */
  getUserStatus(): string;
  createRoom(roomJid: string, nick: string): Promise<void>;
  joinRoom(roomJid: string, nick: string): Promise<Room>;
  leaveRoom(roomJid: string): void;
  /** Returns the message's `msgid` (additive: `messageStatus` names it; `undefined` if called before `ready`). */
  sendMessage(roomJid: string, body: string, type: "normal_text_msg" | "media_msg", files: ChatFile[] | null): string | undefined;
  receiveMessage(message: Partial<Message>): Message;
  fetchArchivedMessages(roomJid: string): Promise<void>;
  sendTypingStatus(roomJid: string): void;
  sendPausedStatus(roomJid: string): void;
  sendDisplayedReceipt(roomJid: string, msgid: string): void;
  sendReceiveReceipt(roomJid: string, msgid: string): void;
  showConverseChat(e?: Event): void;
  hideConverseChat(e?: Event): void;
  disconnectConverse(e?: Event): Promise<void>;
  /** `null` on failure, the reason on the console (a file over the service's limit is refused before uploading). */
  uploadFileToConverse(file: File): Promise<string | null>;
  requestSlotFromConverse(filename: string, size: number, contentType: string): Promise<{ putUrl: string; getUrl: string } | null>;
  uploadFile(file: File, putUrl: string, getUrl: string): Promise<string | null>;
  discoverFileUploadJid(): Promise<string | null>;
  requestUploadServiceInfo(jid: string): Promise<DiscoInfo | null>;
  isImageUrl(url: string): boolean;
  isAudioUrl(url: string): boolean;
  isVideoUrl(url: string): boolean;
  isDocumentPdf(url: string): boolean;
  getFileName(url: string): string;
  getFeedbackConfig(): Promise<FeedbackConfig | null>;
  submitFeedbackResponse(interactionId: string, chatId: string, feedback: Record<string, unknown>): Promise<Response>;
  /** Adds a callback (many per event). Returns a function that removes it (additive). */
  on<E extends keyof ExoChatEvents>(eventName: E, callback: (...args: ExoChatEvents[E]) => void): () => void;
  on(eventName: string, callback: (...args: any[]) => void): () => void;
  /** Removes the latest registration of `callback` (additive); `true` if there was one. */
  off(eventName: string, callback: (...args: any[]) => void): boolean;
  /** Calls each callback of `eventName` with `...args`. */
  triggerEvent<E extends keyof ExoChatEvents>(eventName: E, args: ExoChatEvents[E]): void;
  triggerEvent(eventName: string, args?: unknown[]): void;
}

declare global {
  interface Window {
    /** Defined by `<script src=".../exotel-chat-sdk.js">`. */
    exoChat: ExoChat;
  }
}

declare const exoChat: ExoChat;
export default exoChat;
export const ready: ExoChat["ready"];
export const initialize: ExoChat["initialize"];
export const startChat: ExoChat["startChat"];
export const logout: ExoChat["logout"];
export const getUserStatus: ExoChat["getUserStatus"];
export const createRoom: ExoChat["createRoom"];
export const joinRoom: ExoChat["joinRoom"];
export const leaveRoom: ExoChat["leaveRoom"];
export const sendMessage: ExoChat["sendMessage"];
export const receiveMessage: ExoChat["receiveMessage"];
export const fetchArchivedMessages: ExoChat["fetchArchivedMessages"];
export const sendTypingStatus: ExoChat["sendTypingStatus"];
export const sendPausedStatus: ExoChat["sendPausedStatus"];
export const sendDisplayedReceipt: ExoChat["sendDisplayedReceipt"];
export const sendReceiveReceipt: ExoChat["sendReceiveReceipt"];
export const showConverseChat: ExoChat["showConverseChat"];
export const hideConverseChat: ExoChat["hideConverseChat"];
export const disconnectConverse: ExoChat["disconnectConverse"];
export const uploadFileToConverse: ExoChat["uploadFileToConverse"];
export const requestSlotFromConverse: ExoChat["requestSlotFromConverse"];
export const uploadFile: ExoChat["uploadFile"];
export const discoverFileUploadJid: ExoChat["discoverFileUploadJid"];
export const requestUploadServiceInfo: ExoChat["requestUploadServiceInfo"];
export const isImageUrl: ExoChat["isImageUrl"];
export const isAudioUrl: ExoChat["isAudioUrl"];
export const isVideoUrl: ExoChat["isVideoUrl"];
export const isDocumentPdf: ExoChat["isDocumentPdf"];
export const getFileName: ExoChat["getFileName"];
export const getFeedbackConfig: ExoChat["getFeedbackConfig"];
export const submitFeedbackResponse: ExoChat["submitFeedbackResponse"];
export const on: ExoChat["on"];
export const off: ExoChat["off"];
export const triggerEvent: ExoChat["triggerEvent"];
