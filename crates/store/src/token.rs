//! API tokens: `qt_<id>_<secret>`. Only SHA-256(salt ‖ secret) and the per-token salt are
//! stored; the id lets the hash be found without scanning, and the secret is shown once.

use crate::{hex, sha256_hex, Store, StoreError};

/// A token's printable form prefix.
const PREFIX: &str = "qt_";

/// Random bytes from the operating system.
fn random_hex(n: usize) -> Result<String, StoreError> {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).map_err(|e| StoreError::Db(format!("no randomness: {e}")))?;
    Ok(hex(&b))
}

fn hash(salt: &str, secret: &str) -> String {
    sha256_hex(format!("{salt}{secret}").as_bytes())
}

/// Creates a token named `name`; returns (its id, the token to hand to its holder once).
pub fn create(store: &dyn Store, name: &str) -> Result<(i64, String), StoreError> {
    let salt = random_hex(16)?;
    let secret = random_hex(32)?;
    let id = store.add_token(name, &salt, &hash(&salt, &secret))?;
    Ok((id, format!("{PREFIX}{id}_{secret}")))
}

/// The token id `presented` proves, or None when it is malformed, unknown or wrong.
pub fn verify(store: &dyn Store, presented: &str) -> Result<Option<i64>, StoreError> {
    let Some((id, secret)) = presented
        .strip_prefix(PREFIX)
        .and_then(|r| r.split_once('_'))
    else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(row) = store.token(id)? else {
        return Ok(None);
    };
    Ok(same(&hash(&row.salt, secret), &row.hash).then_some(id))
}

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    #[test]
    fn a_token_verifies_and_only_its_hash_is_kept() {
        let s = SqliteStore::memory().unwrap();
        let (id, tok) = create(&s, "ci").unwrap();
        assert_eq!(verify(&s, &tok).unwrap(), Some(id));
        let row = s.token(id).unwrap().unwrap();
        let secret = tok.rsplit('_').next().unwrap();
        assert!(!row.hash.contains(secret) && !row.salt.contains(secret));
        assert_eq!(row.hash.len(), 64);
        // A changed secret, a wrong id or garbage prove nothing.
        let mut bad = tok.clone();
        bad.pop();
        bad.push(if tok.ends_with('0') { '1' } else { '0' });
        assert_eq!(verify(&s, &bad).unwrap(), None);
        assert_eq!(
            verify(&s, &tok.replacen(&id.to_string(), "99", 1)).unwrap(),
            None
        );
        assert_eq!(verify(&s, "Bearer x").unwrap(), None);
        // Two tokens get different salts.
        let (id2, _) = create(&s, "other").unwrap();
        assert_ne!(s.token(id2).unwrap().unwrap().salt, row.salt);
    }
}
