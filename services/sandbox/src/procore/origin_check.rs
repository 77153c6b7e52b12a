//! Fault knob: whether a repeated `origin_id` is refused. The emulator refuses it by default
//! (422 "has already been taken"), which hides a client that creates a record twice; Procore
//! does not promise that check, so tests of exactly-once creation turn it off.

use super::Emulator;

impl Emulator {
    /// `false`: a second record with an `origin_id` already held in the company is accepted
    /// (and `filters[origin_id]` finds the latest one).
    pub fn set_origin_ids_unique(&self, unique: bool) {
        self.lock_store().origin_ids_unchecked = !unique;
    }
}
