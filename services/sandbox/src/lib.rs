//! Emulators of the two systems the bridge connects, so that every test, benchmark and the
//! sandboxed bridge run without a real Procore or maestro*.

pub mod maestro;
pub mod procore;
pub mod seed;
