//! XEP-0363 file upload from the page: the upload service (found once per session), slots, and
//! the HTTP PUT, done with `XMLHttpRequest` because `fetch` cannot report upload progress.
//!
//! Failures resolve `null`, as the contract says, with the reason on the console; a file larger
//! than the service accepts is refused before any slot is asked for.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use super::client::{query_error_text, string_arg};
use super::handles::EventListener;
use super::oneshot;
use super::widget::WidgetEvent;
use super::{bad_argument, object, to_js, Sdk};
use crate::core::chat::QueryOutcome;
use crate::core::config::is_http_url;
use crate::core::jid::Jid;
use crate::core::upload::{UploadService, UploadSlot};

/// Slots whose PUT headers are remembered for `uploadFile` (the most recent ones).
const REMEMBERED_SLOTS: usize = 32;

/// What the SDK keeps about uploads.
#[derive(Default)]
pub(crate) struct Uploads {
    /// PUT headers of the slots handed out by `requestSlotFromConverse`, by PUT URL.
    put_headers: Vec<(String, Vec<(String, String)>)>,
    /// PUTs in flight, each with a number.
    active: Vec<(u64, XmlHttpRequest)>,
    started: u64,
}

fn warn(method: &str, why: &str) {
    web_sys::console::warn_1(&format!("exoChat.{method}: {why}").into());
}

/// The name of a `File` (`"file"` for a bare `Blob`).
fn blob_name(blob: &Blob) -> String {
    js_sys::Reflect::get(blob, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| "file".to_owned())
}

fn blob_arg(method: &str, value: JsValue) -> Result<Blob, JsValue> {
    value.dyn_into::<Blob>().map_err(|_| bad_argument(method, "file must be a File or Blob"))
}

/// Bytes as the largest fitting unit with one decimal, for messages (integer arithmetic: float
/// formatting would cost ~20 KB of wasm).
fn human_size(bytes: u64) -> String {
    let (unit, name) = match bytes {
        b if b >= 1 << 20 => (1u64 << 20, "MB"),
        b if b >= 1 << 10 => (1 << 10, "KB"),
        b => return format!("{b} bytes"),
    };
    let tenths = (bytes * 10 + unit / 2) / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

impl Sdk {
    /// Aborts every PUT in flight (each resolves `null`).
    pub(crate) fn cancel_uploads(&self) {
        let active: Vec<XmlHttpRequest> = self.state.borrow().uploads.active.iter().map(|(_, xhr)| xhr.clone()).collect();
        // Aborting fires the requests' `abort` listeners: no borrow may be held.
        for xhr in active {
            let _ = xhr.abort();
        }
    }
}

/// Removes in-flight PUT `id` from the list when the upload ends, however it ends.
struct Tracked<'a>(&'a Sdk, u64);

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        let id = self.1;
        self.0.state.borrow_mut().uploads.active.retain(|(n, xhr)| {
            if *n == id {
                // Aborting a finished request does nothing; an unfinished one must not linger.
                let _ = xhr.abort();
            }
            *n != id
        });
    }
}

impl Sdk {
    /// The upload service of the session (discovered the first time); `None` when the server
    /// has none or discovery failed (warned).
    async fn upload_service(&self, method: &str) -> Result<Option<UploadService>, JsValue> {
        match self.query(method, |chat, now| chat.discover_upload_service(now)).await? {
            Ok(QueryOutcome::UploadService(found)) => Ok(found),
            Ok(_) => Ok(None),
            Err(e) => {
                warn(method, &format!("upload service discovery failed: {}", query_error_text(&e)));
                Ok(None)
            }
        }
    }

    /// `discoverFileUploadJid()`: the upload service's JID, or `null`.
    pub(crate) async fn discover_upload_jid(self) -> Result<JsValue, JsValue> {
        let service = self.upload_service("discoverFileUploadJid").await?;
        Ok(service.map_or(JsValue::NULL, |s| s.jid.to_string().into()))
    }

    /// `requestUploadServiceInfo(jid)`: the disco#info result `{ node, identities, features,
    /// forms }`, or `null`.
    pub(crate) async fn upload_service_info(self, jid: JsValue) -> Result<JsValue, JsValue> {
        const M: &str = "requestUploadServiceInfo";
        let text = string_arg(M, "jid", &jid)?;
        let jid = Jid::parse(text.trim()).map_err(|e| bad_argument(M, &format!("`{text}` is not a JID: {e}")))?;
        match self.query(M, |chat, now| chat.disco_info(now, &jid)).await? {
            Ok(QueryOutcome::DiscoInfo(info)) => Ok(to_js(&info.to_json())),
            Ok(_) => Ok(JsValue::NULL),
            Err(e) => {
                warn(M, &format!("disco#info of {jid} failed: {}", query_error_text(&e)));
                Ok(JsValue::NULL)
            }
        }
    }

    /// A slot for `filename` of `size` bytes, after checking the size against the service's
    /// limit; its PUT headers are remembered for `uploadFile`. `Err` says why there is none.
    async fn slot(&self, method: &str, filename: &str, size: u64, content_type: &str) -> Result<Result<UploadSlot, String>, JsValue> {
        let Some(service) = self.upload_service(method).await? else {
            return Ok(Err("the server has no upload service".to_owned()));
        };
        if let Some(max) = service.max_file_size.filter(|max| size > *max) {
            let (size, max) = (human_size(size), human_size(max));
            return Ok(Err(format!("{filename} is {size}, more than the {max} the upload service accepts; not uploaded")));
        }
        let content_type = Some(content_type).filter(|t| !t.is_empty());
        match self.query(method, |chat, now| chat.request_upload_slot(now, &service.jid, filename, size, content_type)).await? {
            Ok(QueryOutcome::UploadSlot(slot)) => {
                let uploads = &mut self.state.borrow_mut().uploads;
                if uploads.put_headers.len() >= REMEMBERED_SLOTS {
                    uploads.put_headers.remove(0);
                }
                uploads.put_headers.push((slot.put_url.clone(), slot.put_headers.clone()));
                Ok(Ok(slot))
            }
            Ok(_) => Ok(Err("the slot answer held no slot".to_owned())),
            Err(e) => Ok(Err(format!("no upload slot for {filename}: {}", query_error_text(&e)))),
        }
    }

    /// `requestSlotFromConverse(filename, size, contentType)`: `{ putUrl, getUrl }`, or `null`.
    pub(crate) async fn request_slot(self, filename: JsValue, size: JsValue, content_type: JsValue) -> Result<JsValue, JsValue> {
        const M: &str = "requestSlotFromConverse";
        let filename = string_arg(M, "filename", &filename)?;
        let size = size.as_f64().filter(|s| s.is_finite() && *s >= 0.0 && s.fract() == 0.0);
        let size = size.ok_or_else(|| bad_argument(M, "size must be a whole number of bytes"))? as u64;
        let content_type = if content_type.is_null() || content_type.is_undefined() { String::new() } else { string_arg(M, "contentType", &content_type)? };
        match self.slot(M, &filename, size, &content_type).await? {
            Ok(slot) => Ok(object(&[("getUrl", slot.get_url.into()), ("putUrl", slot.put_url.into())])),
            Err(why) => {
                warn(M, &why);
                Ok(JsValue::NULL)
            }
        }
    }

    /// `uploadFile(file, putUrl, getUrl)`: PUTs `file` with the slot's headers; `getUrl` on a
    /// 2xx answer, else `null`.
    pub(crate) async fn upload_to_slot(self, file: JsValue, put_url: JsValue, get_url: JsValue) -> Result<JsValue, JsValue> {
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
        match self.put(&file, &put_url, &headers).await {
            Ok(()) => Ok(get_url.into()),
            Err(why) => {
                warn(M, &why);
                Ok(JsValue::NULL)
            }
        }
    }

    /// `uploadFileToConverse(file)`: discovery, slot, PUT; the public GET URL, or `null`.
    pub(crate) async fn upload_whole(self, file: JsValue) -> Result<JsValue, JsValue> {
        const M: &str = "uploadFileToConverse";
        let file = blob_arg(M, file)?;
        let name = blob_name(&file);
        let slot = match self.slot(M, &name, file.size() as u64, &file.type_()).await? {
            Ok(slot) => slot,
            Err(why) => {
                warn(M, &why);
                self.to_widget(WidgetEvent::UploadDone { name: &name, ok: false, reason: Some(&why) });
                return Ok(JsValue::NULL);
            }
        };
        match self.put(&file, &slot.put_url, &slot.put_headers).await {
            Ok(()) => Ok(slot.get_url.into()),
            Err(why) => {
                warn(M, &why);
                Ok(JsValue::NULL)
            }
        }
    }

    /// PUTs `file` to `url` with `headers`, reporting `uploadProgress { name, loaded, total }`;
    /// the widget hears how it ended.
    async fn put(&self, file: &Blob, url: &str, headers: &[(String, String)]) -> Result<(), String> {
        let name = blob_name(file);
        let result = self.put_reporting(file, &name, url, headers).await;
        let reason = result.as_ref().err().map(String::as_str);
        self.to_widget(WidgetEvent::UploadDone { name: &name, ok: result.is_ok(), reason });
        result
    }

    async fn put_reporting(&self, file: &Blob, name: &str, url: &str, headers: &[(String, String)]) -> Result<(), String> {
        let name = name.to_owned();
        let total = file.size();
        let failed = |e: JsValue| format!("uploading {name} failed: {}", e.as_string().unwrap_or_else(|| "the browser refused the request".to_owned()));
        let xhr = XmlHttpRequest::new().map_err(failed)?;
        xhr.open_with_async("PUT", url, true).map_err(failed)?;
        for (header, value) in headers {
            xhr.set_request_header(header, value).map_err(failed)?;
        }
        let (sender, done) = oneshot::channel::<Result<u16, &'static str>>();
        let sender = Rc::new(RefCell::new(Some(sender)));
        let finish = move |result| {
            if let Some(s) = sender.borrow_mut().take() {
                s.send(result);
            }
        };
        let finish = Rc::new(finish);
        let _listeners = [
            EventListener::new(&xhr, "load", {
                let (finish, xhr) = (finish.clone(), xhr.clone());
                move |_| finish(Ok(xhr.status().unwrap_or(0)))
            }),
            EventListener::new(&xhr, "error", {
                let finish = finish.clone();
                move |_| finish(Err("network error"))
            }),
            EventListener::new(&xhr, "abort", move |_| finish(Err("cancelled"))),
        ];
        let reported = Rc::new(Cell::new(0.0));
        let report = {
            let (sdk, name, reported) = (self.clone(), name.clone(), reported.clone());
            move |loaded: f64| {
                reported.set(loaded);
                sdk.to_widget(WidgetEvent::UploadProgress { name: &name, loaded, total });
                sdk.emit_value("uploadProgress", &object(&[("loaded", loaded.into()), ("name", name.as_str().into()), ("total", total.into())]));
            }
        };
        let report = Rc::new(report);
        let upload = xhr.upload().map_err(failed)?;
        let _progress = EventListener::new(&upload, "progress", {
            let report = report.clone();
            move |e: JsValue| report(e.unchecked_into::<ProgressEvent>().loaded())
        });
        let id = {
            let uploads = &mut self.state.borrow_mut().uploads;
            uploads.started += 1;
            uploads.active.push((uploads.started, xhr.clone()));
            uploads.started
        };
        let _tracked = Tracked(self, id);
        xhr.send_with_opt_blob(Some(file)).map_err(failed)?;
        match done.await.unwrap_or(Err("cancelled")) {
            Ok(status) if (200..300).contains(&status) => {
                // Browsers may skip the last progress event of a small body: the page still
                // learns that everything was sent.
                if reported.get() < total {
                    report(total);
                }
                Ok(())
            }
            Ok(status) => Err(format!("uploading {name} failed: HTTP {status}")),
            Err(why) => Err(format!("uploading {name} failed: {why}")),
        }
    }
}
