"""GOV.UK Frontend markup for Django form fields and error summaries."""

from django import forms, template
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import submissions
from ..forms import GovukDateWidget

register = template.Library()

_TEMPLATES = (
    (GovukDateWidget, "govuk/fields/date.html"),
    (forms.CheckboxInput, "govuk/fields/checkbox.html"),
    # Before RadioSelect, which Django's CheckboxSelectMultiple subclasses.
    (forms.CheckboxSelectMultiple, "govuk/fields/checkboxes.html"),
    (forms.RadioSelect, "govuk/fields/radios.html"),
    (forms.Select, "govuk/fields/select.html"),
    (forms.Textarea, "govuk/fields/textarea.html"),
    (forms.FileInput, "govuk/fields/file.html"),
)


def field_anchor(bound_field) -> str:
    """The id an error summary links to: the first input of the field."""
    if isinstance(bound_field.field.widget, GovukDateWidget):
        return f"{bound_field.auto_id}_0"
    if isinstance(bound_field.field.widget, forms.RadioSelect):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.simple_tag
def govuk_field(bound_field, label_class: str = "govuk-label", width: str = ""):
    widget = bound_field.field.widget
    if widget.is_hidden:
        return str(bound_field)
    template_name = next(
        (name for kind, name in _TEMPLATES if isinstance(widget, kind)), "govuk/fields/input.html"
    )
    context = {
        "field": bound_field,
        "anchor": field_anchor(bound_field),
        "label_class": label_class,
        "width": width or widget.attrs.get("width", ""),
        "errors": bound_field.errors,
    }
    return render_to_string(template_name, context)


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(form):
    items = []
    for message in form.non_field_errors():
        items.append({"href": "", "message": message})
    for bound_field in form:
        for message in bound_field.errors:
            items.append({"href": f"#{field_anchor(bound_field)}", "message": message})
    return {"items": items}


@register.simple_tag(takes_context=True)
def post_guard(context) -> str:
    """What every state-changing form carries: the CSRF token and a one-time submission key,
    so that sending it twice does the work once (cases.submissions)."""
    return format_html(
        '{}<input type="hidden" name="{}" value="{}">',
        csrf_input(context["request"]), submissions.FIELD, submissions.new_key(),
    )


@register.filter
def numeric_cells(counts) -> str:
    """A row of counts (whole numbers, or None for "–") as GOV.UK table cells: one call for a
    row rather than a template node a cell, for tables of hundreds of schools (the termly
    returns). int() keeps anything but a number out of the markup."""
    return mark_safe("".join(  # noqa: S308 (whole numbers and a dash only)
        f'<td class="govuk-table__cell govuk-table__cell--numeric">'
        f'{"–" if count is None else int(count)}</td>' for count in counts))
