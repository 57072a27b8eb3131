//! A single-threaded one-shot channel: how a Promise method waits for something the session
//! drain (or a browser callback) reports later.
//!
//! The receiver is a future resolving to `Some(value)`, or `None` once the sender is dropped
//! without sending (the session it waited on is gone): every wait ends.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Shared<T> {
    value: Option<T>,
    /// The sender was dropped (after sending or not).
    closed: bool,
    waker: Option<Waker>,
}

/// Sends one value.
pub(crate) struct Sender<T>(Rc<RefCell<Shared<T>>>);

/// Receives it: `.await` gives `Some(value)`, or `None` when the sender was dropped unsent.
pub(crate) struct Receiver<T>(Rc<RefCell<Shared<T>>>);

/// A connected pair.
pub(crate) fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(RefCell::new(Shared { value: None, closed: false, waker: None }));
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver.
    pub(crate) fn send(self, value: T) {
        self.0.borrow_mut().value = Some(value);
        // Drop wakes the receiver.
    }

    /// Whether the receiver is gone (nobody waits any more).
    pub(crate) fn is_canceled(&self) -> bool {
        Rc::strong_count(&self.0) == 1
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut shared = self.0.borrow_mut();
            shared.closed = true;
            shared.waker.take()
        };
        // Woken with no borrow held: a waker may poll at once.
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut shared = self.0.borrow_mut();
        if let Some(value) = shared.value.take() {
            return Poll::Ready(Some(value));
        }
        if shared.closed {
            return Poll::Ready(None);
        }
        shared.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}
