"""Template variables: substitution, and the rendering failure of a missing one."""

from __future__ import annotations

import pytest

from tidal.ses import templates
from tidal.ses.errors import InvalidParameterValue, MissingRenderingAttribute


def test_variables_are_substituted() -> None:
    data = {"name": "Alexis", "user": {"city": "Lyon"}, "n": 3, "ok": True, "none": None}
    text = "Hi {{name}}, {{ user.city }} {{{name}}} {{n}} {{ok}} [{{none}}]"
    assert templates.render(text, data) == "Hi Alexis, Lyon Alexis 3 true []"


def test_text_without_variables_and_absent_parts() -> None:
    assert templates.render("plain { text }", {}) == "plain { text }"
    assert templates.render(None, {"a": 1}) is None


def test_a_missing_variable_is_a_rendering_failure_with_ses_wording() -> None:
    with pytest.raises(templates.RenderingFailure) as failure:
        templates.render("Hi {{name}}", {"other": 1})
    assert templates.missing_message(str(failure.value)) == (
        "Attribute 'name' is not present in the rendering data."
    )
    with pytest.raises(MissingRenderingAttribute, match=r"Attribute 'user\.city' is not present"):
        templates.render_or_raise("{{user.city}}", {"user": {}})


@pytest.mark.parametrize("text", ["{", "[1, 2]", '"text"'])
def test_template_data_must_be_a_json_object(text: str) -> None:
    with pytest.raises(InvalidParameterValue):
        templates.data_of(text)


def test_empty_template_data_is_no_data() -> None:
    assert templates.data_of(None) == {}
    assert templates.data_of('{"a": "é"}') == {"a": "é"}
