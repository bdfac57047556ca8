"""Two-step sign-in: after the password, a code from an authenticator app (TOTP, RFC 6238).

Who must: everyone with a role at a local authority and every operator of the admin site,
whose accounts reach every school's records in an LA; school staff when their school's LA
requires it (LocalAuthority.two_step_for_school_staff). Someone with roles at several places
must if any of them requires it. django-otp keeps the devices and checks the codes (with its
throttling); Pact keeps its own pages, and records set-ups, resets and recovery codes used as
AccountEvents for the LA admin.
"""

from base64 import b32encode
from binascii import unhexlify
from collections.abc import Iterable

from django.contrib.auth import get_user_model, logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .models import AccountEvent, LocalAuthority, StaffGroup
from .selectors import staff_groups_of

RECOVERY_CODES = 10
# Set in the session when the second step is done: if the device that did it is later reset,
# django-otp forgets it and this mark shows the session was verified by it, so it ends.
VERIFIED_MARK = "two_step_done"
SETUP_KEY = "two_step_new_key"
NEW_CODES = "two_step_new_codes"


def two_step_required(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(_role_requires(role) for role in staff_groups_of(user))


def _role_requires(role: StaffGroup) -> bool:
    if role.local_authority_id:
        return True
    return role.school.local_authority.two_step_for_school_staff


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def authenticator_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_device_of(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def new_key() -> str:
    """A fresh TOTP key: 20 random bytes (160 bits, RFC 4226's recommendation), in hex."""
    return random_hex(20)


def key_for_typing(key_hex: str) -> str:
    """The key as authenticator apps take it typed in: base 32, in groups of four."""
    letters = b32encode(unhexlify(key_hex)).decode()
    return " ".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def code_matches_key(*, key_hex: str, code: str) -> int | None:
    """The time step a code from an app set up with this key belongs to (one step either
    side of now, as for a confirmed device), or None."""
    totp = TOTP(unhexlify(key_hex))
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def _local_authorities_of(user) -> list[LocalAuthority | None]:
    places = {role.local_authority or role.school.local_authority
              for role in staff_groups_of(user)}
    return sorted(places, key=lambda la: la.pk) or [None]


def _record(*, what: str, actor, user, places: Iterable[LocalAuthority | None]) -> None:
    AccountEvent.objects.bulk_create(
        AccountEvent(what=what, actor=actor, user=user, local_authority=place)
        for place in places)


class AlreadySetUp(Exception):
    pass


def two_step_set_up(*, user, key_hex: str, code_step: int) -> tuple[TOTPDevice, list[str]]:
    """Keeps the user's authenticator (its first code already checked, so it is not accepted
    again) and gives them recovery codes, each good once, for when the phone is lost."""
    with transaction.atomic():
        # One set-up at a time for a user (two tabs, a double click).
        get_user_model().objects.select_for_update().filter(pk=user.pk).get()
        if has_authenticator(user):
            raise AlreadySetUp
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", key=key_hex,
                                           confirmed=True, last_t=code_step)
        recovery = StaticDevice.objects.create(user=user, name="Recovery codes")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code)
                                        for code in codes)
        _record(what=AccountEvent.What.SET_UP, actor=user, user=user,
                places=_local_authorities_of(user))
    return device, codes


def recovery_code_used(*, user) -> int:
    """Records a recovery code used to sign in; the codes left."""
    with transaction.atomic():
        _record(what=AccountEvent.What.RECOVERY_CODE_USED, actor=user, user=user,
                places=_local_authorities_of(user))
    device = recovery_device_of(user)
    return device.token_set.count() if device else 0


def two_step_reset(*, actor, user, local_authority: LocalAuthority) -> None:
    """Removes the user's authenticator and recovery codes. Every session they verified ends
    at its next request (TwoStepMiddleware), and they set up again when they next sign in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record(what=AccountEvent.What.RESET, actor=actor, user=user,
                places=[local_authority])


def school_staff_rule_change(*, actor, local_authority: LocalAuthority, required: bool) -> None:
    with transaction.atomic():
        changed = LocalAuthority.objects.filter(
            pk=local_authority.pk, two_step_for_school_staff=not required,
        ).update(two_step_for_school_staff=required)
        local_authority.two_step_for_school_staff = required
        if changed:
            what = (AccountEvent.What.SCHOOL_STAFF_ON if required
                    else AccountEvent.What.SCHOOL_STAFF_OFF)
            _record(what=what, actor=actor, user=None, places=[local_authority])


class TwoStepMiddleware:
    """Until the second step is done, every page leads to it: the code for a user with an
    authenticator, setting one up for a user without. Public pages (sign-in, health) and the
    views marked two_step_exempt (sign-out, the two-step pages) stay reachable; the admin
    site does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        if request.session.get(VERIFIED_MARK) and not user.is_verified():
            # The device that verified this session was reset: the session ends.
            logout(request)
            return redirect_to_login(request.get_full_path())
        if (not getattr(view_func, "login_required", True)
                or getattr(view_func, "two_step_exempt", False)
                or user.is_verified() or not two_step_required(user)):
            return None
        target = redirect("two-step-code")
        if request.method == "GET":
            target["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return target


def two_step_exempt(view):
    view.two_step_exempt = True
    return view


def session_verified(request, device) -> None:
    """The second step done: a new session key (as at any sign-in: no one holding the old
    one shares the verified session), and the device kept in it by django-otp."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[VERIFIED_MARK] = True
