// exochat for bundlers: `import exoChat from "exochat"` or named imports. The .wasm is resolved
// with `new URL(..., import.meta.url)`, which bundlers (webpack 5, Vite, Rollup, esbuild) follow.
import * as glue from "./exochat.js";

/* @include facade.js */

const nativeFetch = globalThis.fetch.bind(globalThis);
const wasmUrl = new URL("exochat_bg.wasm", import.meta.url);
const exoChat = createExoChat(() => instantiateSdk(glue, wasmUrl, fetchWasm(wasmUrl, nativeFetch), nativeFetch));

export default exoChat;
export const {
  ready, initialize, startChat, logout, getUserStatus, createRoom, joinRoom, leaveRoom, sendMessage,
  receiveMessage, fetchArchivedMessages, sendTypingStatus, sendPausedStatus, sendDisplayedReceipt,
  sendReceiveReceipt, showConverseChat, hideConverseChat, disconnectConverse, uploadFileToConverse,
  requestSlotFromConverse, uploadFile, discoverFileUploadJid, requestUploadServiceInfo, isImageUrl,
  isAudioUrl, isVideoUrl, isDocumentPdf, getFileName, getFeedbackConfig, submitFeedbackResponse, on,
  off, triggerEvent,
} = exoChat;
