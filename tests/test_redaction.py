from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("key", ["password", "user_password", "sender_password", "client_secret", "access_token",
                                 "Authorization", "X-Api-Key", "sessionid", "session_id", "token", "Cookie"])
def test_secret_key_names_are_masked(key: str) -> None:
    assert redact({key: "value-1234"}) == {key: MASK}


@pytest.mark.parametrize("key", ["compass_region", "bypass_approval", "passport_no", "tokens_purchased",
                                 "secretary_name", "hs_object_id", "intacct_apbill_key"])
def test_ordinary_fields_that_merely_contain_a_secret_word_are_kept(key: str) -> None:
    """An audit row must stay replayable: HubSpot properties are data, not credentials."""
    assert redact({"properties": {key: "value-1234"}}) == {"properties": {key: "value-1234"}}
