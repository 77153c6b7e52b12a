//! Feeds arbitrary bytes to every maestro* document parser: responses (all record kinds, errors,
//! paging) and the request documents the emulator reads. Any panic is a bug.

#![no_main]

use bridge_maestro::wire::{parse_document, parse_response};
use bridge_maestro::{
    BudgetModifications, NewBillingChangeOrder, NewBillingContract, NewChangeOrder, NewOrder,
    NewParty, NewProject, NewSubcontract, ProcoreTabUpdate,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_response(data);
    let _ = parse_document::<NewProject>(data, "Project");
    let _ = parse_document::<NewParty>(data, "Supplier");
    let _ = parse_document::<NewOrder>(data, "Order");
    let _ = parse_document::<NewSubcontract>(data, "Subcontract");
    let _ = parse_document::<NewChangeOrder>(data, "ChangeOrder");
    let _ = parse_document::<NewBillingContract>(data, "BillingContract");
    let _ = parse_document::<NewBillingChangeOrder>(data, "BillingChangeOrder");
    let _ = parse_document::<BudgetModifications>(data, "BudgetModifications");
    let _ = parse_document::<ProcoreTabUpdate>(data, "ProcoreTab");
});
