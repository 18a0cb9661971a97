//! Data that comes from the portal, as the console holds it.

use super::action::ReqId;
use crate::portal::PortalError;

/// Data that comes from the portal: the last good value (kept while a
/// refresh is under way), the request in flight, and the last error.
#[derive(Debug, Clone)]
pub struct Remote<T> {
    pub data: Option<T>,
    pub pending: Option<ReqId>,
    pub error: Option<PortalError>,
}

impl<T> Default for Remote<T> {
    fn default() -> Self {
        Self { data: None, pending: None, error: None }
    }
}

impl<T> Remote<T> {
    /// Marks request `req` as the one whose answer counts.
    pub fn start(&mut self, req: ReqId) {
        self.pending = Some(req);
    }

    /// Takes the answer to `req` if it is the one awaited; an answer to an
    /// older request (arriving late or out of order) is dropped. Returns
    /// whether it was taken.
    pub fn finish(&mut self, req: ReqId, result: Result<T, PortalError>) -> bool {
        if self.pending != Some(req) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.error = None;
            }
            Err(error) => self.error = Some(error),
        }
        true
    }

    pub fn is_loading(&self) -> bool {
        self.pending.is_some()
    }
}
