from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from cases.access_log import What, access_record
from letters.rendering import render_pdf

from . import exports, selectors, services
from .charts import pair_chart
from .columns import COLUMNS, KEYS
from .models import Digest
from .terms import ended_terms, terms_of_year

# Up to five years of terms in one series: a bounded amount of work per request.
SERIES_TERMS = 15
FORMATS = {"csv": ("text/csv; charset=utf-8", exports.as_csv),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    exports.as_xlsx)}
CHARTS = (
    ("Exclusions that gave grounds for a contract, and contracts entered into",
     ("Gave grounds", "Entered into"), ("exclusions_grounds", "behaviour_entered")),
    ("Parenting contracts (behaviour): entered into and refused", ("Entered into", "Refused"),
     ("behaviour_entered", "behaviour_refused")),
    ("Parenting orders: applied for and made", ("Applied for", "Made"),
     ("orders_applied", "orders_made")),
)


# A chart of hundreds of schools cannot be read (nor sent quickly): each compares the schools
# with the most, and the table above it has every school.
CHART_SCHOOLS = 15


def _busiest(title: str, series: tuple[str, str], table, a: str, b: str):
    first, second = KEYS.index(a), KEYS.index(b)
    rows = [(row.school.name, row.counts[first] or 0, row.counts[second] or 0)
            for row in table.rows]
    if len(rows) > CHART_SCHOOLS:
        rows = sorted(rows, key=lambda r: (-(r[1] + r[2]), r[0]))[:CHART_SCHOOLS]
        title = f"{title}: the {CHART_SCHOOLS} schools with the most"
    return title, series, rows


def _where(la, term) -> str:
    return urlencode({"la": la.code, "term": term.key})


@require_GET
def return_list(request):
    today = timezone.localdate()
    la = selectors.authority_for(request.user, request.GET.get("la"))
    terms = ended_terms(la, today)
    term = selectors.term_for(la, request.GET.get("term"), today=today, terms=terms)
    table = selectors.term_table(request.user, la=la, term=term)
    charts = [pair_chart(*_busiest(title, series, table, a, b)) for title, series, (a, b) in CHARTS]
    return render(request, "reporting/return_list.html", {
        "table": table, "columns": COLUMNS, "charts": charts, "where": _where(la, term),
        "terms": terms,
        "authorities": selectors.authorities_of(request.user).order_by("name"),
        "may_take": services.schools_to_take(request.user, la).exists(),
    })


@require_POST
def return_take(request):
    today = timezone.localdate()
    la = selectors.authority_for(request.user, request.POST.get("la"))
    term = selectors.term_for(la, request.POST.get("term"), today=today)
    schools = list(services.schools_to_take(request.user, la).values_list("pk", flat=True))
    if not schools:
        raise PermissionDenied("The LA's officers and each school's headteacher take returns.")
    failed = services.returns_take(schools=schools, term=term, actor=request.user)
    if failed:
        messages.error(request, f"{len(failed)} of {len(schools)} schools' returns could not "
                                "be taken now; the rest are. Try again in a few minutes.")
    else:
        messages.success(request, f"Returns taken for {term.name}")
    return redirect(reverse("return-list") + "?" + _where(la, term))


@require_GET
def return_detail(request, school_id: int, term_key: str):
    school = selectors.counted_school(request.user, school_id=school_id)
    term = selectors.term_for(school.local_authority, term_key, today=timezone.localdate())
    revisions = [
        (revision,
         [(heading, revision.counts.get(key, 0))
          for heading, key in zip(selectors.HEADINGS, KEYS, strict=True)],
         [f"{heading}: {revision.changes[key][0]} to {revision.changes[key][1]}"
          for heading, key in zip(selectors.HEADINGS, KEYS, strict=True)
          if key in revision.changes])
        for revision in selectors.revisions_of(school, term)]
    return render(request, "reporting/return_detail.html", {
        "school": school, "term": term, "revisions": revisions,
        "may_submit": services.may_submit(request.user, school_id),
        "back": reverse("return-list") + "?" + _where(school.local_authority, term),
    })


@require_POST
def return_submit(request, school_id: int, term_key: str):
    school = selectors.counted_school(request.user, school_id=school_id)
    term = selectors.term_for(school.local_authority, term_key, today=timezone.localdate())
    if not services.may_submit(request.user, school.pk):
        raise PermissionDenied("The school's headteacher submits its return to the LA.")
    revision = request.POST.get("revision", "")
    termly_return = next((r for r in selectors.revisions_of(school, term)
                          if str(r.pk) == revision), None)
    if termly_return is None:
        messages.error(request, "Choose the revision to submit: the latest, as shown.")
        return redirect("return-detail", school_id=school.pk, term_key=term.key)
    try:
        services.return_submit(actor=request.user, termly_return=termly_return)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Revision {termly_return.revision} submitted to the LA")
    return redirect("return-detail", school_id=school.pk, term_key=term.key)


def _download(request, la, content: bytes, fmt: str, filename: str) -> HttpResponse:
    access_record(request, what=What.EXPORT, label=f"{filename}.{fmt}",
                  local_authority_id=la.pk)
    content_type, _ = FORMATS[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def return_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("CSV or XLSX")
    la = selectors.authority_for(request.user, request.GET.get("la"))
    term = selectors.term_for(la, request.GET.get("term"), today=timezone.localdate())
    suppress = request.GET.get("suppress") == "1"
    export = exports.build([selectors.term_table(request.user, la=la, term=term)],
                           suppress=suppress)
    name = f"termly-return-{la.code}-{term.key}{'-published' if suppress else ''}"
    return _download(request, la, FORMATS[fmt][1](export), fmt, name)


@require_GET
def return_series(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("CSV or XLSX")
    today = timezone.localdate()
    la = selectors.authority_for(request.user, request.GET.get("la"))
    terms = ended_terms(la, today)
    first = selectors.term_for(la, request.GET.get("from") or terms[-1].key, today=today,
                               terms=terms)
    last = selectors.term_for(la, request.GET.get("to") or terms[0].key, today=today,
                              terms=terms)
    chosen = [t for t in reversed(terms) if first.ends_on <= t.ends_on <= last.ends_on]
    if not chosen or len(chosen) > SERIES_TERMS:
        raise Http404(f"Choose from 1 to {SERIES_TERMS} terms, the first before the last")
    suppress = request.GET.get("suppress") == "1"
    export = exports.build(selectors.series(request.user, la=la, terms=chosen),
                           suppress=suppress)
    name = f"termly-returns-{la.code}-{first.key}-to-{last.key}" \
           f"{'-published' if suppress else ''}"
    return _download(request, la, FORMATS[fmt][1](export), fmt, name)


@require_GET
def reminder_list(request):
    """What Pact has e-mailed the user: their daily digests, as sent."""
    page = Paginator(Digest.objects.filter(user=request.user), 20).get_page(
        request.GET.get("page"))
    return render(request, "reporting/reminders.html", {"page": page, "query_string": ""})


@require_GET
def return_annual(request, year: int):
    """The LA's one-page report for an academic year, from the stored returns."""
    today = timezone.localdate()
    la = selectors.authority_for(request.user, request.GET.get("la"))
    every = terms_of_year(la, year) if 2000 <= year <= today.year else []
    terms = [t for t in every if t.ends_on < today]
    if not terms:
        raise Http404("No term of that year has ended")
    tables = selectors.series(request.user, la=la, terms=terms)
    rows = [(heading, [table.totals[i] for table in tables],
             sum(table.totals[i] for table in tables))
            for i, heading in enumerate(selectors.HEADINGS)]
    charts = [pair_chart(title, series, [
        (table.term.name, table.totals[KEYS.index(a)], table.totals[KEYS.index(b)])
        for table in tables]) for title, series, (a, b) in CHARTS]
    html = render_to_string("reporting/annual.html", {
        "la": la, "year_name": f"{year}/{(year + 1) % 100:02d}", "terms": terms,
        "rows": rows, "charts": charts, "today": today,
        "missing": [t.name for t in every if t not in terms],
        "schools": len(tables[0].rows), "taken": sum(t.taken for t in tables),
        "submitted": sum(t.submitted for t in tables),
    })
    filename = f"annual-report-{la.code}-{year}.pdf"
    access_record(request, what=What.EXPORT, label=filename, local_authority_id=la.pk)
    response = HttpResponse(render_pdf(html).pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
