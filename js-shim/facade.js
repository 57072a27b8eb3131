// The exoChat facade, shared by the classic script (exotel-chat-sdk.js) and the ESM entry
// (index.mjs): the build inlines this file where they say "@include facade.js".
//
// `createExoChat(load)` returns the exoChat object at once. `load()` returns a Promise of the
// WebAssembly `Sdk` instance, whose one method `call(name, args)` runs any exoChat method. Until
// it settles, calls are queued and later replayed in order; Promise methods return their Promise
// at once. Methods never use `this`, so named ESM exports and detached references
// (`const { on } = exoChat`) work.

/** Every method of the contract (and `off`) that returns a value or nothing, synchronously. */
var SYNC_METHODS = [
  "initialize", "logout", "getUserStatus", "leaveRoom", "sendMessage", "receiveMessage",
  "sendTypingStatus", "sendPausedStatus", "sendDisplayedReceipt", "sendReceiveReceipt",
  "showConverseChat", "hideConverseChat", "isImageUrl", "isAudioUrl", "isVideoUrl",
  "isDocumentPdf", "getFileName", "on", "off", "triggerEvent",
];

/** Every method of the contract that returns a Promise. */
var ASYNC_METHODS = [
  "startChat", "createRoom", "joinRoom", "fetchArchivedMessages", "disconnectConverse",
  "uploadFileToConverse", "requestSlotFromConverse", "uploadFile", "discoverFileUploadJid",
  "requestUploadServiceInfo", "getFeedbackConfig", "submitFeedbackResponse",
];

/** An Error with a stable `code`, as the WebAssembly side makes them. */
function exoError(code, message, cause) {
  var err = new Error(message, cause === undefined ? undefined : { cause: cause });
  err.code = code;
  return err;
}

/**
 * Starts fetching the .wasm with `fetchFn`: a Promise of the 2xx Response, or of an Error that
 * names the URL and what was wrong. Started before the glue is loaded, so both download at once.
 */
function fetchWasm(wasmUrl, fetchFn) {
  var loading = typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function"
    ? Promise.reject(exoError("load_failed", "exoChat: this browser has no WebAssembly support"))
    : fetchFn(String(wasmUrl)).then(function (response) {
      if (!response.ok) {
        throw exoError("load_failed", "exoChat: could not load " + wasmUrl + " (HTTP " + response.status + ")");
      }
      return response;
    }, function (e) {
      throw exoError("load_failed", "exoChat: could not load " + wasmUrl + ": " + (e && e.message), e);
    });
  // Awaited only once the glue has loaded (and never when it fails): not an unhandled rejection.
  loading.catch(function () {});
  return loading;
}

/**
 * Instantiates the .wasm that `fetchWasm` is fetching with wasm-bindgen's `glue` (streaming
 * compilation when the server sends `application/wasm`) and creates the Sdk. Rejects with an
 * Error that names the URL and what was wrong.
 */
function instantiateSdk(glue, wasmUrl, loading, fetchFn) {
  return loading.then(function (response) {
    var type = response.headers.get("Content-Type") || "no Content-Type";
    return glue.default({ module_or_path: response }).catch(function (e) {
      throw exoError("load_failed", "exoChat: " + wasmUrl + " is not a loadable WebAssembly module (served as " +
        type + "; expected application/wasm): " + (e && e.message), e);
    });
  }).then(function () {
    return new glue.Sdk(fetchFn);
  });
}

function createExoChat(load) {
  var sdk = null;      // the Sdk, once loaded and the queue has drained
  var failure = null;  // the Error every later call throws or rejects with
  var queue = [];      // calls made before `sdk` was set: { name, args, resolve?, reject? }
  var exoChat = {};

  function fail(err) {
    failure = err;
    console.error(err);
  }

  function runQueued(module, call) {
    if (failure) {
      if (call.reject) call.reject(failure);
      return;
    }
    try {
      var result = module.call(call.name, call.args);
      if (call.resolve) call.resolve(result);
    } catch (e) {
      if (call.reject) call.reject(e); else fail(e);
    }
  }

  SYNC_METHODS.forEach(function (name) {
    exoChat[name] = function () {
      if (failure) throw failure;
      var args = Array.prototype.slice.call(arguments);
      if (sdk) return sdk.call(name, args);
      queue.push({ name: name, args: args });
      return undefined;
    };
  });

  ASYNC_METHODS.forEach(function (name) {
    exoChat[name] = function () {
      if (failure) return Promise.reject(failure);
      var args = Array.prototype.slice.call(arguments);
      if (sdk) {
        try { return Promise.resolve(sdk.call(name, args)); } catch (e) { return Promise.reject(e); }
      }
      return new Promise(function (resolve, reject) {
        queue.push({ name: name, args: args, resolve: resolve, reject: reject });
      });
    };
  });

  // `on` also returns a function that removes the callback (additive; the contract returns void).
  var register = exoChat.on;
  exoChat.on = function (eventName, callback) {
    register(eventName, callback);
    var registered = true;
    return function unsubscribe() {
      if (!registered || failure) return;
      registered = false;
      exoChat.off(eventName, callback);
    };
  };

  exoChat.ready = Promise.resolve().then(load).then(function (module) {
    // Calls made while the queue drains (from a callback) join its end, so order holds.
    while (queue.length) runQueued(module, queue.shift());
    sdk = module;
    return exoChat;
  }, function (e) {
    var err = e && e.code === "load_failed" ? e : exoError("load_failed", "exoChat: could not load the SDK: " + (e && e.message), e);
    fail(err);
    while (queue.length) runQueued(null, queue.shift());
    throw err;
  });
  // The failure is already reported; do not add an "unhandled rejection" for pages that ignore `ready`.
  exoChat.ready.catch(function () {});

  return exoChat;
}
