import pytest

from vaxel.directory.forwarding import TargetRefused, validate_forward_target
from vaxel.directory.model import TargetKind, ValidTarget
from vaxel.numbers import NumberPolicy

POLICY = NumberPolicy()
EXTENSIONS = {"2001", "2005", "2006"}


def validate(kind, value, **kwargs):
    return validate_forward_target(kind, value, EXTENSIONS, POLICY, **kwargs)


@pytest.mark.parametrize("kind", [TargetKind.EXTENSION, TargetKind.MOBILE, TargetKind.GROUP])
@pytest.mark.parametrize(
    "value", ["123&PJSIP/evil", "2001&PJSIP/evil", "2001,t", "2001\nChannel: x", "${EXTEN}"]
)
def test_dial_string_injection_is_refused_for_every_kind(kind, value):
    with pytest.raises(TargetRefused) as refused:
        validate(kind, value, known_groups={"bygglov"})
    assert refused.value.code in {"invalid", "unknown"}


def test_premium_rate_number_is_refused_with_a_clear_message():
    with pytest.raises(TargetRefused, match="premium-rate") as refused:
        validate(TargetKind.MOBILE, "0900123456")
    assert refused.value.code == "premium"


def test_premium_rate_number_is_not_an_extension_either():
    with pytest.raises(TargetRefused, match="3-6 digits"):
        validate(TargetKind.EXTENSION, "0900123456")


def test_international_number_is_refused_unless_allowed():
    with pytest.raises(TargetRefused, match="international") as refused:
        validate(TargetKind.MOBILE, "+88234567890")
    assert refused.value.code == "international"
    allowing = NumberPolicy(allowed_country_codes=["46", "882"])
    target = validate_forward_target(TargetKind.MOBILE, "+88234567890", EXTENSIONS, allowing)
    assert target == ValidTarget(TargetKind.MOBILE, "+88234567890")


def test_swedish_mobile_is_normalised_to_e164():
    assert validate("mobile", " 070-174 06 05 ") == ValidTarget(TargetKind.MOBILE, "+46701740605")


def test_colleague_extension_must_exist_and_not_be_your_own():
    assert validate("extension", "2006") == ValidTarget(TargetKind.EXTENSION, "2006")
    with pytest.raises(TargetRefused, match="no extension 2099"):
        validate("extension", "2099")
    with pytest.raises(TargetRefused, match="own extension") as refused:
        validate("extension", "2005", own_extension="2005")
    assert refused.value.code == "loop"


def test_group_must_be_a_known_group():
    assert validate("group", "bygglov", known_groups={"bygglov"}) == ValidTarget(
        TargetKind.GROUP, "bygglov"
    )
    with pytest.raises(TargetRefused, match="groups"):
        validate("group", "okand", known_groups={"bygglov"})


def test_switchboard_and_message_take_no_value():
    assert validate("switchboard", "") == ValidTarget(TargetKind.SWITCHBOARD)
    assert validate("message", "  ") == ValidTarget(TargetKind.MESSAGE)
    with pytest.raises(TargetRefused, match="takes no number"):
        validate("switchboard", "0900123456")


def test_unknown_kind_and_empty_value_are_refused():
    with pytest.raises(TargetRefused, match="choose a target kind") as refused:
        validate("PJSIP/evil", "2001")
    assert refused.value.code == "kind"
    with pytest.raises(TargetRefused, match="give the mobile"):
        validate("mobile", "")
