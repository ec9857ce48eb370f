from __future__ import annotations

from ml_connector.redaction import MASK, fingerprint, redact, redact_text


def test_xml_secret_elements_are_masked_whatever_the_caller_passed() -> None:
    xml = "<login><userid>u</userid><password>pw&amp;1</password></login><sessionid>abc123xyz</sessionid>"
    out = redact_text(xml)
    assert "pw&amp;1" not in out and "abc123xyz" not in out
    assert f"<password>{MASK}</password>" in out and "<userid>u</userid>" in out


def test_bearer_tokens_and_known_secrets_inside_free_text() -> None:
    out = redact_text("Authorization: Bearer pat-na1-abc.def failed for s3cr3t-value", ["s3cr3t-value"])
    assert "pat-na1-abc.def" not in out and "s3cr3t-value" not in out


def test_nested_structures_mask_sensitive_keys_and_keep_the_rest() -> None:
    payload = {
        "headers": {"Authorization": "Bearer x", "Content-Type": "application/json"},
        "extra": {"user_password": "pw", "client_secret": "cs", "company_id": "ACME"},
        "items": [{"note": "token=tok-12345"}, b"raw tok-12345"],
        "empty_password": "",
    }
    out = redact(payload, ["tok-12345"])
    assert out["headers"]["Authorization"] == MASK
    assert out["extra"] == {"user_password": MASK, "client_secret": MASK, "company_id": "ACME"}
    assert out["items"] == [{"note": f"token={MASK}"}, f"raw {MASK}"]
    assert out["empty_password"] == ""  # nothing to hide; keeps "was it set?" visible
    assert payload["extra"]["user_password"] == "pw"  # the input is not modified


def test_short_secrets_are_not_substituted_into_text() -> None:
    assert redact_text("a b c", ["a"]) == "a b c"


def test_fingerprint_is_stable_short_and_not_the_secret() -> None:
    assert fingerprint("session-1") == fingerprint("session-1") != fingerprint("session-2")
    assert len(fingerprint("session-1")) == 12 and "session" not in fingerprint("session-1")
