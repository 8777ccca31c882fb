"""``{% form_fields form %}``: an empty public form is rendered once per process and language,
and only an empty one; anything typed, any error, is the reader's own."""

from django.template import engines
from django.template.loader import render_to_string
from django.test import SimpleTestCase, override_settings
from django.utils import translation

from duty.forms import RequestForm
from opinions.forms import OpinionForm

TAG = engines["django"].from_string("{% load form_tags %}{% form_fields form %}")


def rendered(form):
    return TAG.render({"form": form})


def fresh(form):
    """What the fields' own templates make of ``form``, now."""
    return render_to_string("includes/form_fields.html", {"form": form})


class FormFieldsTests(SimpleTestCase):
    def test_an_empty_form_is_the_one_its_templates_make_in_each_language(self):
        for form_class in (OpinionForm, RequestForm):
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    self.assertEqual(rendered(form_class()), fresh(form_class()))
                    self.assertEqual(rendered(form_class()), rendered(form_class()))
        with translation.override("en"):
            english = rendered(OpinionForm())
        with translation.override("zh-hans"):
            self.assertNotEqual(rendered(OpinionForm()), english)

    def test_what_a_reader_typed_and_its_errors_are_never_shared(self):
        with translation.override("en"):
            empty = rendered(OpinionForm())
            typed = OpinionForm({"author_name": "老李 <b>", "body": ""})
            self.assertFalse(typed.is_valid())
            html = rendered(typed)
        self.assertNotEqual(html, empty)
        self.assertIn("老李 &lt;b&gt;", html)
        self.assertIn("Please write your opinion before sending it.", html)
        self.assertNotIn("老李", rendered(OpinionForm()))
        self.assertIn(
            'value="a neighbour"', rendered(OpinionForm(initial={"author_name": "a neighbour"}))
        )

    def test_a_changed_setting_is_read_again(self):
        rendered(OpinionForm())
        with override_settings(OPINION_MAX_LENGTH=123):
            self.assertIn('maxlength="123"', rendered(OpinionForm()))
        self.assertNotIn('maxlength="123"', rendered(OpinionForm()))
