"""Two-step sign-in pages: the code, setting up an authenticator, recovery codes (reached
before the second step is done), and the LA admin's page of staff sign-in."""

import segno
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors, two_step
from .forms import SchoolStaffRuleForm, SetUpCodeForm, SignInCodeForm

STAFF_PER_PAGE = 50


def _next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return wanted
    return reverse("dashboard")


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def _done_already(request) -> bool:
    user = request.user
    return user.is_verified() or not two_step.two_step_required(user)


@never_cache
@two_step.two_step_exempt
def code(request):
    if _done_already(request):
        return redirect(_next(request))
    app = two_step.authenticator_of(request.user)
    if app is None:
        return redirect(_with_next("two-step-set-up", request))
    form = SignInCodeForm(request.POST or None)
    if form.is_valid():
        device = (two_step.recovery_device_of(request.user) if form.is_recovery_code
                  else app)
        allowed, refusal = (device.verify_is_allowed() if device else (True, None))
        if not allowed:
            until = timezone.localtime(refusal["locked_until"])
            form.add_error("code", "You have entered too many wrong codes. Wait until "
                           f"{until:%H:%M:%S}, then enter the code your app shows then")
        elif device and verify_token(request.user, device.persistent_id,
                                     form.cleaned_data["code"]):
            two_step.session_verified(request, device)
            if form.is_recovery_code:
                left = two_step.recovery_code_used(user=request.user)
                messages.info(request, f"You signed in with a recovery code. You have {left} "
                              "left. If you have lost your phone, ask your LA admin to reset "
                              "your two-step sign-in.")
            return redirect(_next(request))
        else:
            form.add_error("code", "The code is not right. Enter the code your app shows "
                           "now, or a recovery code you have not used")
    return render(request, "two_step/code.html", {"form": form, "next": _next(request)})


def _qr_code(url: str) -> str:
    svg = segno.make_qr(url, error="m").svg_inline(
        scale=5, border=2, dark="#0b0c0c", light="#ffffff", svgclass="pact-qr-code")
    # Described for screen readers; the key written out below serves those who cannot scan.
    return mark_safe(svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" ',
        1))


@never_cache
@two_step.two_step_exempt
def set_up(request):
    if _done_already(request):
        return redirect(_next(request))
    if two_step.has_authenticator(request.user):
        return redirect(_with_next("two-step-code", request))
    # The key waits in the session, not the database, until a code from it is entered.
    key = request.session.setdefault(two_step.SETUP_KEY, two_step.new_key())
    form = SetUpCodeForm(request.POST or None)
    if form.is_valid():
        step = two_step.code_matches_key(key_hex=key, code=form.cleaned_data["code"])
        if step is None:
            form.add_error("code", "The code is not right. Check the app shows Pact, then "
                           "enter the code it shows now")
        else:
            try:
                device, codes = two_step.two_step_set_up(user=request.user, key_hex=key,
                                                         code_step=step)
            except two_step.AlreadySetUp:
                return redirect(_with_next("two-step-code", request))
            two_step.session_verified(request, device)
            request.session.pop(two_step.SETUP_KEY, None)
            request.session[two_step.NEW_CODES] = codes
            return redirect(_with_next("two-step-recovery-codes", request))
    unsaved = TOTPDevice(user=request.user, key=key)
    return render(request, "two_step/set_up.html", {
        "form": form, "next": _next(request), "qr_code": _qr_code(unsaved.config_url),
        "typed_key": two_step.key_for_typing(key)})


@never_cache
@two_step.two_step_exempt
def recovery_codes(request):
    # Shown once: they are taken from the session as the page is made.
    codes = request.session.pop(two_step.NEW_CODES, None)
    return render(request, "two_step/recovery_codes.html",
                  {"codes": codes, "next": _next(request)})


def staff_sign_in(request, la_id: int):
    local_authority = selectors.local_authority_administered_by(request.user, la_id=la_id)
    page = Paginator(selectors.staff_of(local_authority), STAFF_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "two_step/staff.html", {
        "local_authority": local_authority, "page": page, "query_string": "",
        "events": selectors.account_events_of(local_authority)})


def school_staff_rule(request, la_id: int):
    local_authority = selectors.local_authority_administered_by(request.user, la_id=la_id)
    current = "yes" if local_authority.two_step_for_school_staff else "no"
    form = SchoolStaffRuleForm(request.POST or None, initial={"required": current})
    if form.is_valid():
        two_step.school_staff_rule_change(actor=request.user, local_authority=local_authority,
                                          required=form.cleaned_data["required"])
        messages.success(request, "School staff must now use two-step sign-in"
                         if form.cleaned_data["required"]
                         else "School staff no longer need two-step sign-in")
        return redirect("staff-sign-in", la_id=la_id)
    return render(request, "cases/form_page.html", {
        "form": form, "title": "Two-step sign-in for school staff",
        "caption": local_authority.name, "submit": "Save",
        "back": reverse("staff-sign-in", args=[la_id])})


def reset(request, la_id: int, user_id: int):
    local_authority = selectors.local_authority_administered_by(request.user, la_id=la_id)
    member = selectors.staff_member_of(local_authority, user_id=user_id)
    form = forms.Form(request.POST or None)
    if form.is_valid():
        two_step.two_step_reset(actor=request.user, user=member,
                                local_authority=local_authority)
        messages.success(request, f"Two-step sign-in reset for {_name(member)}. They will set "
                         "it up again when they next sign in.")
        return redirect("staff-sign-in", la_id=la_id)
    return render(request, "two_step/reset.html", {
        "form": form, "member": member, "name": _name(member),
        "title": f"Reset two-step sign-in for {_name(member)}",
        "caption": local_authority.name, "submit": "Reset two-step sign-in",
        "back": reverse("staff-sign-in", args=[la_id])})


def _name(user) -> str:
    return user.get_full_name() or user.username
