//! The parsers never panic: thousands of truncated and mutated copies of valid documents each
//! come back as `Ok` or `Err`. A strict prefix of a valid document is always an error.

mod common;

use bridge_maestro::wire::{parse_document, parse_response};
use bridge_maestro::{
    BudgetModifications, NewBillingChangeOrder, NewBillingContract, NewChangeOrder, NewOrder,
    NewParty, NewProject, NewSubcontract, ProcoreTabUpdate,
};

/// Small deterministic generator (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[rustfmt::skip]
const INTERESTING: &[&[u8]] = &[
    b"<", b">", b"/", b"\"", b"&", b"&amp;", b"&#0;", b"&bogus;", b"=", b" ", b"x", b"0", b"-",
    b".", b"\xff", b"\xc3", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<Project>", b"</Project>",
    b"<Error code=\"X\">", b"<Page number=\"-1\"/>", b"99999999999999999999999", b"true",
];

fn mutate(doc: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = doc.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len());
        match rng.below(5) {
            0 => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            1 => {
                let end = (at + rng.below(60)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len());
                out.splice(to..to, copy);
            }
            2 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            3 => {
                if let Some(byte) = out.get_mut(at) {
                    *byte = (rng.next() & 0xff) as u8;
                }
            }
            _ => {
                let end = (at + rng.below(20)).min(out.len());
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..end, piece.iter().copied());
            }
        }
    }
    out
}

/// Feeds `bytes` to every parser the client and the emulator use.
fn every_parser(bytes: &[u8]) -> bool {
    let response = parse_response(bytes).is_ok();
    let _ = parse_document::<NewProject>(bytes, "Project");
    let _ = parse_document::<NewParty>(bytes, "Supplier");
    let _ = parse_document::<NewOrder>(bytes, "Order");
    let _ = parse_document::<NewSubcontract>(bytes, "Subcontract");
    let _ = parse_document::<NewChangeOrder>(bytes, "ChangeOrder");
    let _ = parse_document::<NewBillingContract>(bytes, "BillingContract");
    let _ = parse_document::<NewBillingChangeOrder>(bytes, "BillingChangeOrder");
    let _ = parse_document::<BudgetModifications>(bytes, "BudgetModifications");
    let _ = parse_document::<ProcoreTabUpdate>(bytes, "ProcoreTab");
    response
}

#[test]
fn truncated_documents_are_errors() {
    let mut checked = 0;
    for doc in common::valid_documents() {
        let bytes = doc.as_bytes();
        assert!(every_parser(bytes), "the untouched document parses: {doc}");
        for cut in 0..bytes.len() {
            assert!(
                !every_parser(&bytes[..cut]),
                "prefix of {cut} bytes accepted: {}",
                String::from_utf8_lossy(&bytes[..cut])
            );
            checked += 1;
        }
    }
    assert!(checked > 2_000, "only {checked} truncations");
}

#[test]
fn mutated_documents_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let docs = common::valid_documents();
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..5_000 {
        let doc = docs[round % docs.len()].as_bytes();
        if every_parser(&mutate(doc, &mut rng)) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // Mutations break most documents; a few (e.g. changed text) stay valid.
    assert!(refused > accepted, "accepted {accepted}, refused {refused}");
}
