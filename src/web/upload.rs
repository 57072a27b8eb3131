//! XEP-0363 file upload from the page: the upload service (found once per session), slots, and
//! the HTTP PUT, done with `XMLHttpRequest` because `fetch` cannot report upload progress.
//!
//! Failures resolve `null`, as the contract says, with the reason on the console; a file larger
//! than the service accepts is refused before any slot is asked for.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::client::string_arg;
use super::driver::now;
use super::task::Reply;
use super::handles::EventListener;
use super::js::{call0, construct, num, prop, string, try_call, warn};
use super::widget::WidgetEvent;
use super::{bad_argument, object, Sdk};
use crate::core::flows::{SlotRequest, Then};
use crate::core::config::is_http_url;
use crate::core::jid::Jid;
use crate::core::upload::UploadSlot;

/// Slots whose PUT headers are remembered for `uploadFile` (the most recent ones).
const REMEMBERED_SLOTS: usize = 32;

/// What the SDK keeps about uploads.
#[derive(Default)]
pub(crate) struct Uploads {
    /// PUT headers of the slots handed out by `requestSlotFromConverse`, by PUT URL.
    put_headers: Vec<(String, Vec<(String, String)>)>,
    /// PUTs in flight, each with a number and its listeners (removed when it ends).
    active: Vec<(u64, JsValue, Vec<EventListener>)>,
    started: u64,
}

fn warn_of(method: &str, why: &str) {
    warn(&format!("exoChat.{method}: {why}"));
}

/// The name of a `File` (`"file"` for a bare `Blob`).
fn blob_name(blob: &Blob) -> String {
    string(blob, "name").unwrap_or_else(|| "file".to_owned())
}

fn blob_arg(method: &str, value: JsValue) -> Result<Blob, JsValue> {
    value.dyn_into::<Blob>().map_err(|_| bad_argument(method, "file must be a File or Blob"))
}

/// The size of `blob` in bytes.
fn size(blob: &Blob) -> f64 {
    num(blob, "size")
}

/// What an upload's outcome goes to: `Err` says why it failed.
type Uploaded = Box<dyn FnOnce(Result<(), String>)>;

impl Sdk {
    /// Aborts every PUT in flight (each resolves `null`).
    pub(crate) fn cancel_uploads(&self) {
        // Aborting fires the requests' `abort` listeners: no borrow may be held, so the list is
        // taken out first (its listeners are removed when it drops, after the aborts).
        let active = std::mem::take(&mut self.state.borrow_mut().uploads.active);
        for (_, xhr, _) in &active {
            call0(xhr, "abort");
        }
    }

    /// Asks the session what `then` needs for `reply`, which it settles ([`Sdk::settle`]); `file`
    /// is PUT once a slot is granted.
    fn upload_query(&self, method: &str, then: Then, file: Option<Blob>, reply: &Reply) -> Result<(), JsValue> {
        let driver = self.live(method)?;
        let promise = self.wait_for(reply.clone());
        if let Some(entry) = self.state.borrow_mut().pending.last_mut() {
            entry.2 = file;
        }
        driver.session().query_for(now(), promise, then);
        driver.drain();
        Ok(())
    }

    /// `discoverFileUploadJid()`: the upload service's JID, or `null`.
    pub(crate) fn discover_upload_jid(&self, reply: &Reply) -> Result<(), JsValue> {
        self.upload_query("discoverFileUploadJid", Then::UploadJid, None, reply)
    }

    /// `requestUploadServiceInfo(jid)`: the disco#info result `{ node, identities, features,
    /// forms }`, or `null`.
    pub(crate) fn upload_service_info(&self, jid: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "requestUploadServiceInfo";
        let text = string_arg(M, "jid", &jid)?;
        let jid = Jid::parse(text.trim()).map_err(|e| bad_argument(M, &format!("`{text}` is not a JID: {e}")))?;
        self.upload_query(M, Then::Info(jid), None, reply)
    }

    /// `requestSlotFromConverse(filename, size, contentType)`: `{ putUrl, getUrl }`, or `null`.
    pub(crate) fn request_slot(&self, filename: JsValue, size: JsValue, content_type: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "requestSlotFromConverse";
        let filename = string_arg(M, "filename", &filename)?;
        let size = size.as_f64().filter(|s| s.is_finite() && *s >= 0.0 && s.fract() == 0.0);
        let size = size.ok_or_else(|| bad_argument(M, "size must be a whole number of bytes"))? as u64;
        let content_type = if content_type.is_null() || content_type.is_undefined() { String::new() } else { string_arg(M, "contentType", &content_type)? };
        self.upload_query(M, Then::Service(SlotRequest { method: M, filename, size, content_type }), None, reply)
    }

    /// Remembers the PUT headers of a slot handed out, for `uploadFile` (the most recent ones).
    pub(crate) fn remember_slot(&self, slot: &UploadSlot) {
        let uploads = &mut self.state.borrow_mut().uploads;
        if uploads.put_headers.len() >= REMEMBERED_SLOTS {
            uploads.put_headers.remove(0);
        }
        uploads.put_headers.push((slot.put_url.clone(), slot.put_headers.clone()));
    }

    /// An upload of `method` that failed before its PUT: the reason on the console, and for the
    /// upload of `file` in the widget.
    pub(crate) fn upload_failed(&self, method: &str, file: Option<&Blob>, why: &str) {
        warn_of(method, why);
        if let Some(file) = file {
            self.to_widget(WidgetEvent::UploadDone { name: &blob_name(file), ok: false, reason: Some(why) });
        }
    }

    /// `uploadFile(file, putUrl, getUrl)`: PUTs `file` with the slot's headers; `getUrl` on a
    /// 2xx answer, else `null`.
    pub(crate) fn upload_to_slot(&self, file: JsValue, put_url: JsValue, get_url: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "uploadFile";
        let file = blob_arg(M, file)?;
        let put_url = string_arg(M, "putUrl", &put_url)?;
        let get_url = string_arg(M, "getUrl", &get_url)?;
        if !is_http_url(&put_url) {
            return Err(bad_argument(M, "putUrl must be an http(s) URL"));
        }
        let headers = {
            let state = self.state.borrow();
            let found = state.uploads.put_headers.iter().rev().find(|(url, _)| *url == put_url);
            found.map(|(_, h)| h.clone()).unwrap_or_default()
        };
        self.put(&file, &put_url, &headers, uploaded(M, get_url, reply.clone()));
        Ok(())
    }

    /// `uploadFileToConverse(file)`: discovery, slot, PUT; the public GET URL, or `null`.
    pub(crate) fn upload_whole(&self, file: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "uploadFileToConverse";
        let file = blob_arg(M, file)?;
        let want = SlotRequest { method: M, filename: blob_name(&file), size: size(&file) as u64, content_type: string(&file, "type").unwrap_or_default() };
        self.upload_query(M, Then::Service(want), Some(file), reply)
    }

    /// PUTs `file` to `url` with `headers`, reporting `uploadProgress { name, loaded, total }`;
    /// the widget hears how it ended, then `done`.
    pub(crate) fn put(&self, file: &Blob, url: &str, headers: &[(String, String)], done: Uploaded) {
        let name = blob_name(file);
        let total = size(file);
        let failed = |e: JsValue| format!("uploading {name} failed: {}", e.as_string().unwrap_or_else(|| "the browser refused the request".to_owned()));
        let started = construct("XMLHttpRequest", &JsValue::UNDEFINED).and_then(|xhr| {
            // `open` is asynchronous unless told otherwise.
            try_call(&xhr, "open", &"PUT".into(), &url.into())?;
            for (header, value) in headers {
                try_call(&xhr, "setRequestHeader", &header.into(), &value.into())?;
            }
            Ok((prop(&xhr, "upload"), xhr))
        });
        let (upload, xhr) = match started {
            Ok(started) => started,
            Err(e) => return self.upload_done(&name, Err(failed(e)), done),
        };
        let id = {
            let uploads = &mut self.state.borrow_mut().uploads;
            uploads.started += 1;
            uploads.started
        };
        let reported = Rc::new(Cell::new(0.0));
        let report: Rc<dyn Fn(f64)> = Rc::new({
            let (sdk, name, reported) = (self.clone(), name.clone(), reported.clone());
            move |loaded: f64| {
                reported.set(loaded);
                sdk.to_widget(WidgetEvent::UploadProgress { name: &name, loaded, total });
                sdk.emit_value("uploadProgress", &object(&[("loaded", loaded.into()), ("name", name.as_str().into()), ("total", total.into())]));
            }
        });
        let done = Cell::new(Some(done));
        // How the request ended: the status of a `load`, or why there was none.
        let finish: Rc<dyn Fn(Result<u16, &'static str>)> = Rc::new({
            let (sdk, report) = (self.clone(), report.clone());
            move |result| {
                // The first end counts; its listeners go (this one's closure lives until it returns).
                let Some(done) = done.take() else { return };
                sdk.state.borrow_mut().uploads.active.retain(|(n, _, _)| *n != id);
                let result = match result {
                    Ok(status) if (200..300).contains(&status) => {
                        // Browsers may skip the last progress event of a small body: the page
                        // still learns that everything was sent.
                        if reported.get() < total {
                            report(total);
                        }
                        Ok(())
                    }
                    Ok(status) => Err(format!("uploading {name} failed: HTTP {status}")),
                    Err(why) => Err(format!("uploading {name} failed: {why}")),
                };
                sdk.upload_done(&name, result, done);
            }
        });
        let mut listeners = Vec::new();
        for event in ["load", "error", "abort"] {
            let (finish, request) = (finish.clone(), xhr.clone());
            listeners.push(EventListener::new(&xhr, event, move |_| {
                finish(match event {
                    "load" => Ok(num(&request, "status") as u16),
                    "error" => Err("network error"),
                    _ => Err("cancelled"),
                })
            }));
        }
        listeners.push(EventListener::new(&upload, "progress", move |e: JsValue| report(num(&e, "loaded"))));
        self.state.borrow_mut().uploads.active.push((id, xhr.clone(), listeners));
        if try_call(&xhr, "send", file, &JsValue::UNDEFINED).is_err() {
            finish(Err("the browser refused the request"));
        }
    }

    /// Tells the widget how the upload of `name` ended, then `done`.
    fn upload_done(&self, name: &str, result: Result<(), String>, done: Uploaded) {
        let reason = result.as_ref().err().map(String::as_str);
        self.to_widget(WidgetEvent::UploadDone { name, ok: result.is_ok(), reason });
        done(result);
    }
}

/// The end of `uploadFile` and `uploadFileToConverse`: `get_url` after a PUT that worked, else
/// `null` (the reason on the console).
pub(crate) fn uploaded(method: &'static str, get_url: String, reply: Reply) -> Uploaded {
    Box::new(move |result| {
        reply.settle(Ok(match result {
            Ok(()) => get_url.into(),
            Err(why) => {
                warn_of(method, &why);
                JsValue::NULL
            }
        }))
    })
}
