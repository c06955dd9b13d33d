//! The harness itself: the registry it starts takes logins.

use crate::support::registry::Registry;

#[test]
fn registry_with_htpasswd_asks_for_and_takes_credentials() {
    let Some(r) = Registry::start(Some(("dw", "s3cret"))) else {
        return;
    };
    assert_eq!(r.v2_status(None), 401);
    assert_eq!(r.v2_status(Some(("dw", "wrong"))), 401);
    assert_eq!(r.v2_status(Some(("dw", "s3cret"))), 200);
    let open = Registry::start(None).unwrap();
    assert_eq!(open.v2_status(None), 200);
}
