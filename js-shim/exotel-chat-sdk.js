/*! exotel-chat-sdk.js (exochat): defines window.exoChat, loads exochat.js + exochat_bg.wasm from its folder */
// Load it with a plain <script src=".../exotel-chat-sdk.js"></script>. The notice above is kept
// short: it ships in every page's download.
(function () {
  "use strict";
  if (window.exoChat && window.exoChat.ready) return; // included twice: keep the first

  /* @include facade.js */

  // The page's fetch as it is now, before analytics or ad-blockers wrap it.
  var nativeFetch = window.fetch.bind(window);

  // The folder this script came from: the .wasm and its glue sit next to it.
  var script = document.currentScript;
  if (!script || !script.src) {
    var tags = document.querySelectorAll('script[src*="exotel-chat-sdk"]');
    script = tags[tags.length - 1];
  }
  var base = new URL(".", script && script.src ? script.src : document.baseURI).href;

  window.exoChat = createExoChat(function () {
    var glueUrl = base + "exochat.js";
    var wasmUrl = base + "exochat_bg.wasm";
    // Both requests at once: the .wasm does not wait a round trip for the glue.
    var wasm = fetchWasm(wasmUrl, nativeFetch);
    return import(glueUrl).then(function (glue) {
      return instantiateSdk(glue, wasmUrl, wasm, nativeFetch);
    }, function (e) {
      throw exoError("load_failed", "exoChat: could not load " + glueUrl + ": " + (e && e.message), e);
    });
  });
})();
