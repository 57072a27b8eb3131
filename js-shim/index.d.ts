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
  /** Stable code: `invalid_config`, `already_initialized`, `not_initialized`, `not_implemented`, `bad_argument`, `load_failed`, … */
  code: string;
  /** For `invalid_config`: the config key at fault. */
  key?: string;
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
  role: string;
  affiliation: string;
  jid?: string;
  occupant_id?: string;
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
  id: string;
  msgid: string;
  body: string;
  from: string;
  from_muc: string;
  from_real_jid?: string;
  to: string;
  nick: string;
  occupant_id?: string;
  sender: "agent" | "me";
  type: "groupchat";
  chat_state?: "active" | "composing" | "paused" | "inactive";
  /** ISO 8601. */
  time: string;
  received: number;
  message: string;
  subtype: "normal_text_msg" | "media_msg" | "form_msg" | null;
  files: ChatFile[] | null;
  userRole: "agent" | "bot" | "supervisor" | null;
  is_markable: boolean;
  is_marker: boolean;
  marker_id?: string;
  receipt_id?: string;
  displayed: boolean;
  interaction_data: { chatId: string; interaction_id: string } | null;
  chatEnded: boolean;
  /** Set on messages replayed by `fetchArchivedMessages`. */
  archived?: boolean;
}

/** The CMS feedback configuration. */
export interface FeedbackConfig {
  isFeedbackEnabled: boolean;
  openInNewTab: boolean;
  feedbackUrl: string;
  [extra: string]: unknown;
}

/** Arguments of each event, as `on` callbacks receive them. */
export interface ExoChatEvents {
  messageReceived: [message: Message];
  displayedReceipt: [roomJid: string, msgid: string];
  receiveReceipt: [roomJid: string, msgid: string];
  agentJoined: [info: { roomJid: string; nick: string; role: string; occupant_id?: string }];
  agentLeft: [info: { roomJid: string; nick: string; role: string; occupant_id?: string }];
  typing: [info: { roomJid: string; nick: string; state: "composing" | "paused" | "active" | "inactive" | "gone" }];
  messageStatus: [info: { roomJid: string; msgid: string; status: "pending" | "sent" | "delivered" | "displayed" | "failed" }];
  connectionStatus: [info: { status: "connecting" | "online" | "reconnecting" | "offline"; reason?: string }];
  chatEnded: [info: { roomJid: string; chatId: string; interaction_id: string }];
  uploadProgress: [info: { name: string; loaded: number; total: number }];
}

/** `window.exoChat`. */
export interface ExoChat {
  /** Resolves once the WebAssembly module has loaded (and queued calls ran); rejects with an `ExoChatError` (`load_failed`) if it cannot load. */
  readonly ready: Promise<ExoChat>;
  /** Merges defaults, validates (throws naming the bad key), injects `#exotel-chat-icon`. Once per page: a second call throws `already_initialized`. */
  initialize(config: ExoChatConfig): void;
  startChat(params: StartChatParams): Promise<Room>;
  logout(): void;
  getUserStatus(): string;
  createRoom(roomJid: string, nick: string): Promise<void>;
  joinRoom(roomJid: string, nick: string): Promise<Room>;
  leaveRoom(roomJid: string): void;
  sendMessage(roomJid: string, body: string, type: "normal_text_msg" | "media_msg", files: ChatFile[] | null): void;
  receiveMessage(message: Partial<Message>): Message;
  fetchArchivedMessages(roomJid: string): Promise<void>;
  sendTypingStatus(roomJid: string): void;
  sendPausedStatus(roomJid: string): void;
  sendDisplayedReceipt(roomJid: string, msgid: string): void;
  sendReceiveReceipt(roomJid: string, msgid: string): void;
  showConverseChat(e?: Event): void;
  hideConverseChat(e?: Event): void;
  disconnectConverse(e?: Event): Promise<void>;
  uploadFileToConverse(file: File): Promise<string | null>;
  requestSlotFromConverse(filename: string, size: number, contentType: string): Promise<{ putUrl: string; getUrl: string } | null>;
  uploadFile(file: File, putUrl: string, getUrl: string): Promise<string | null>;
  discoverFileUploadJid(): Promise<string | null>;
  requestUploadServiceInfo(jid: string): Promise<any>;
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
