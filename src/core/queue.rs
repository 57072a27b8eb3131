//! [`Queue`]: the first-in first-out queue of the core's outputs (stanzas to send, events to
//! report, BOSH payloads waiting for a request), and [`Ring`]: a bounded memory that forgets its
//! oldest item first (ids and messages already seen).
//!
//! Why not `VecDeque`: each distinct `VecDeque<T>` instantiates its ring-buffer code (growing,
//! wrapping, draining) in the WebAssembly module. The queues are drained after every input and
//! rarely hold more than a few items, so a `Vec` that shifts on pop is as fast and much smaller;
//! the memories only ever append, which a `Vec` overwritten in a circle does in `O(1)`.

/// A FIFO queue over a `Vec`: push at the back, pop at the front (`O(n)`, for short queues).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue<T> {
    items: Vec<T>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue { items: Vec::new() }
    }
}

impl<T> Queue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Queue::default()
    }

    /// Appends `item` at the back.
    pub fn push_back(&mut self, item: T) {
        self.items.push(item);
    }

    /// Removes and returns the front item.
    pub fn pop_front(&mut self) -> Option<T> {
        if self.items.is_empty() {
            None
        } else {
            Some(self.items.remove(0))
        }
    }

    /// The front item.
    pub fn front(&self) -> Option<&T> {
        self.items.first()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

impl<T> Extend<T> for Queue<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        self.items.extend(items);
    }
}

/// At most `capacity` items; pushing onto a full ring overwrites the oldest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring<T> {
    /// Oldest first until full; then the oldest item is at `oldest`.
    items: Vec<T>,
    capacity: usize,
    /// The slot the next push overwrites once full.
    oldest: usize,
}

impl<T> Ring<T> {
    /// An empty ring that keeps the newest `capacity` items (at least one).
    pub fn new(capacity: usize) -> Self {
        Ring { items: Vec::new(), capacity: capacity.max(1), oldest: 0 }
    }

    /// Appends `item`, forgetting the oldest item when full.
    pub fn push(&mut self, item: T) {
        if self.items.len() < self.capacity {
            self.items.push(item);
        } else if let Some(slot) = self.items.get_mut(self.oldest) {
            *slot = item;
            self.oldest = (self.oldest + 1) % self.capacity;
        }
    }

    /// The items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        let (newer, older) = self.items.split_at(self.oldest);
        older.iter().chain(newer)
    }

    /// The items in storage order (not oldest first once the ring has wrapped), for lookups
    /// where the order does not matter: one plain slice instead of [`Ring::iter`]'s two parts.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    /// [`Ring::as_slice`], mutably.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.items
    }

    /// How many items the ring holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the ring is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out() {
        let mut q = Queue::new();
        assert_eq!(q.pop_front(), None);
        q.push_back(1);
        q.extend([2, 3]);
        assert_eq!(q.front(), Some(&1));
        assert_eq!(q.pop_front(), Some(1));
        q.push_back(4);
        assert_eq!([q.pop_front(), q.pop_front(), q.pop_front()], [Some(2), Some(3), Some(4)]);
        q.push_back(5);
        q.clear();
        assert!(q.is_empty() && q.front().is_none());
    }

    #[test]
    fn ring_forgets_the_oldest_and_iterates_oldest_first() {
        let mut r = Ring::new(3);
        assert!(r.is_empty());
        for i in 1..=5 {
            r.push(i);
        }
        assert_eq!(r.len(), 3);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), [3, 4, 5]);
        r.as_mut_slice().iter_mut().for_each(|i| *i *= 10);
        r.push(6);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), [40, 50, 6]);
    }
}
