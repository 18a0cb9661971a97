//! The guard of every paged read: a portal decides when paging ends (it
//! stops sending `next_cursor`), so a hostile or broken one could page for
//! ever, with a cursor that loops or one that is always new. A [`Pager`]
//! remembers every cursor of a read (their SHA-256, so a long cursor costs
//! 32 bytes) and counts pages and the bytes kept, and stops the read with
//! [`PortalError::KeptPaging`] at a repeated cursor (any earlier one, not
//! only the last), past [`PagingLimits::max_pages`], or past
//! [`PagingLimits::max_bytes`] of answers kept.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::error::{PagingStop, PortalError};

/// The most one paged read may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingLimits {
    /// Pages read, the first included.
    pub max_pages: usize,
    /// Bytes of the answers kept (a read that keeps nothing, such as the
    /// audit trail's verification, is bounded by its pages alone).
    pub max_bytes: usize,
}

/// At most 10,000 pages (5 million tickets or audit entries at 500 a page).
pub const MAX_PAGES: usize = 10_000;
/// At most 64 MiB of answers kept by one read (about 100,000 tickets).
pub const MAX_PAGED_BYTES: usize = 64 << 20;

impl Default for PagingLimits {
    fn default() -> Self {
        Self { max_pages: MAX_PAGES, max_bytes: MAX_PAGED_BYTES }
    }
}

/// One paged read's memory of cursors, pages and bytes.
#[derive(Debug, Clone)]
pub struct Pager {
    limits: PagingLimits,
    seen: HashSet<[u8; 32]>,
    pages: usize,
    bytes: usize,
}

impl Pager {
    /// A read about to ask for its first page.
    pub fn new(limits: PagingLimits) -> Self {
        Self { limits, seen: HashSet::new(), pages: 0, bytes: 0 }
    }

    /// Pages taken so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// A page was read, of which `kept` bytes are kept, and the portal
    /// named `next` as the cursor of the page after it: the cursor to ask
    /// for next, or `None` when that was the last page. An error when the
    /// portal keeps paging: `next` was sent before in this read, or one
    /// more page would pass the page limit, or what is kept passed the
    /// byte limit.
    pub fn next(&mut self, kept: usize, next: Option<String>) -> Result<Option<String>, PortalError> {
        self.pages += 1;
        self.bytes = self.bytes.saturating_add(kept);
        let stop = |why| Err(PortalError::KeptPaging { pages: self.pages, why });
        if self.bytes > self.limits.max_bytes {
            return stop(PagingStop::Bytes { limit: self.limits.max_bytes });
        }
        let Some(cursor) = next else {
            return Ok(None);
        };
        if !self.seen.insert(Sha256::digest(cursor.as_bytes()).into()) {
            return stop(PagingStop::Repeated);
        }
        if self.pages >= self.limits.max_pages {
            return stop(PagingStop::Pages { limit: self.limits.max_pages });
        }
        Ok(Some(cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_pages: usize, max_bytes: usize) -> PagingLimits {
        PagingLimits { max_pages, max_bytes }
    }

    #[test]
    fn a_read_ends_when_the_portal_sends_no_cursor() {
        let mut pager = Pager::new(PagingLimits::default());
        assert_eq!(pager.next(10, Some("a".into())), Ok(Some("a".into())));
        assert_eq!(pager.next(10, Some("b".into())), Ok(Some("b".into())));
        assert_eq!(pager.next(10, None), Ok(None));
        assert_eq!(pager.pages(), 3);
    }

    #[test]
    fn any_earlier_cursor_stops_the_read_not_only_the_last() {
        let mut pager = Pager::new(PagingLimits::default());
        assert_eq!(pager.next(0, Some("a".into())), Ok(Some("a".into())));
        assert_eq!(pager.next(0, Some("b".into())), Ok(Some("b".into())));
        let err = pager.next(0, Some("a".into())).unwrap_err();
        assert_eq!(err, PortalError::KeptPaging { pages: 3, why: PagingStop::Repeated });
        assert!(err.to_string().starts_with("the portal kept paging"), "{err}");
        // The same cursor twice in a row too.
        let mut pager = Pager::new(PagingLimits::default());
        pager.next(0, Some("x".into())).unwrap();
        assert!(pager.next(0, Some("x".into())).is_err());
    }

    #[test]
    fn pages_and_bytes_are_limited() {
        let mut pager = Pager::new(limits(3, usize::MAX));
        assert!(pager.next(0, Some("1".into())).is_ok());
        assert!(pager.next(0, Some("2".into())).is_ok());
        let err = pager.next(0, Some("3".into())).unwrap_err();
        assert_eq!(err, PortalError::KeptPaging { pages: 3, why: PagingStop::Pages { limit: 3 } });
        assert!(err.to_string().contains("it went past 3 pages (page 3)"), "{err}");
        // The last page allowed may still be the last one.
        let mut pager = Pager::new(limits(3, usize::MAX));
        pager.next(0, Some("1".into())).unwrap();
        pager.next(0, Some("2".into())).unwrap();
        assert_eq!(pager.next(0, None), Ok(None));

        let mut pager = Pager::new(limits(100, 1000));
        assert!(pager.next(600, Some("1".into())).is_ok());
        let err = pager.next(600, None).unwrap_err();
        assert_eq!(err, PortalError::KeptPaging { pages: 2, why: PagingStop::Bytes { limit: 1000 } });
        assert!(err.to_string().contains("its answers went past 1000 bytes"), "{err}");
        assert!(!err.is_transient(), "not read again");
        assert_eq!(err.exit_code(), 1);
    }

    #[test]
    fn a_huge_cursor_is_remembered_in_32_bytes() {
        let mut pager = Pager::new(PagingLimits::default());
        let long = "c".repeat(1 << 20);
        pager.next(0, Some(long.clone())).unwrap();
        assert_eq!(pager.seen.len(), 1);
        assert!(pager.next(0, Some(long)).is_err());
    }
}
