//! The hook's static `Authorization` header, checked in constant time.
//!
//! Only a SHA-256 of each accepted value is stored; comparing digests in constant time means
//! neither the stored value nor its length leaks through timing.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Whether `presented` matches any of the accepted digests. Every digest is compared, so the
/// time taken does not say which one matched.
pub fn accepted(presented: &str, accepted_hashes: &[Vec<u8>]) -> bool {
    let digest = Sha256::digest(presented.as_bytes());
    let mut any = subtle::Choice::from(0);
    for hash in accepted_hashes {
        any |= digest.as_slice().ct_eq(hash.as_slice());
    }
    any.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_platform::connections::authorization_hash;

    #[test]
    fn either_value_of_a_rotation_is_accepted() {
        let old = authorization_hash("Bearer old");
        let new = authorization_hash("Bearer new");
        assert!(accepted("Bearer old", &[old.clone(), new.clone()]));
        assert!(accepted("Bearer new", &[old.clone(), new.clone()]));
        assert!(!accepted("Bearer other", &[old, new]));
        assert!(!accepted("Bearer old", &[]));
        assert!(!accepted("", &[authorization_hash("x")]));
    }
}
