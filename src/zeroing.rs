//! The heap, wiped as it is given back: a global allocator (the binary's;
//! see `main.rs`) that zeroes every block when it is freed, and the old
//! block of every reallocation. The console's lock drops every client
//! detail it holds (see `tui::app::App::lock_now`); without this the
//! bytes of a dropped value stay in freed memory until something else
//! happens to reuse it, and so do the copies no code holds any more: the
//! answer's raw JSON, the strings a frame was drawn from, a reply
//! rendered for the clipboard. A core taken after the lock then still
//! showed the client's email 26 times (issue 25).
//!
//! The zeroing is `zeroize`'s: a plain fill before `free` is a dead store
//! the compiler may remove, and `zeroize` keeps it (an optimisation
//! barrier after the fill). What this cannot reach is memory that is not
//! freed: a buffer still held (a pooled connection's read buffer, the
//! terminal's own scrollback, which is another program's) is the lock's
//! to drop or not ours to wipe; see the README's security section.

use std::alloc::{GlobalAlloc, Layout, System};
use std::mem::MaybeUninit;

use zeroize::Zeroize;

/// The system allocator, zeroing every block it takes back.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroOnFree;

/// Zeroes `len` bytes at `ptr`.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes (initialised or not).
unsafe fn wipe(ptr: *mut u8, len: usize) {
    if len == 0 {
        return;
    }
    // SAFETY: the caller gives `len` writable bytes; `MaybeUninit<u8>`
    // takes any content, initialised or not.
    let bytes = unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<u8>>(), len) };
    bytes.zeroize();
}

// SAFETY: every block comes from `System` with the layout asked for, and
// goes back to it with that same layout; a reallocation is a new block of
// the new size and the same alignment, the old one copied, then zeroed and
// freed, as `GlobalAlloc::realloc`'s default does (without the zeroing).
unsafe impl GlobalAlloc for ZeroOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: passed on as given.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: passed on as given.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the block at `ptr` is `layout.size()` bytes and ours until
        // it is freed just after.
        unsafe {
            wipe(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` with the old alignment is a valid layout (the
        // caller's contract); the old block is read before it is freed.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_block_is_zeroed_and_a_reallocation_keeps_the_bytes() {
        let alloc = ZeroOnFree;
        let layout = Layout::from_size_align(64, 8).unwrap();
        // SAFETY: blocks of this allocator, used within their sizes.
        unsafe {
            let block = alloc.alloc(layout);
            assert!(!block.is_null());
            std::ptr::write_bytes(block, 0xAB, 64);
            let grown = alloc.realloc(block, layout, 128);
            assert!(!grown.is_null());
            assert!((0..64).all(|i| *grown.add(i) == 0xAB), "the content moves with it");
            let shrunk = alloc.realloc(grown, Layout::from_size_align(128, 8).unwrap(), 16);
            assert!((0..16).all(|i| *shrunk.add(i) == 0xAB));
            // What `dealloc` writes is zeroes: seen through `wipe` itself
            // (freed memory may not be read).
            let kept = alloc.alloc(layout);
            std::ptr::write_bytes(kept, 0xCD, 64);
            wipe(kept, 64);
            assert!((0..64).all(|i| *kept.add(i) == 0));
            alloc.dealloc(kept, layout);
            alloc.dealloc(shrunk, Layout::from_size_align(16, 8).unwrap());
        }
    }
}
