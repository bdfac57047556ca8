"""Two-step sign-in: who must use it, setting it up, the code step with recovery codes and
throttling, the session limits around it, and the LA admin's resets and rule."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import two_step
from cases.access import staff_grant_role
from cases.models import AccountEvent, StaffRole
from tests.clients import FormClient, app_code, authenticator_for
from tests.factories import LocalAuthorityFactory, SchoolFactory, staff

PASSWORD = "correct horse battery"


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def password_step(user, client=None) -> FormClient:
    client = client or FormClient()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def set_up(client) -> list[str]:
    """Sets up the authenticator from the set-up page; the recovery codes shown."""
    client.get(reverse("two-step-set-up"))
    key = client.session[two_step.SETUP_KEY]
    response = client.post(reverse("two-step-set-up"), {"code": app_code(key)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return [code.token for code in StaticToken.objects.all() if code.token in page]


def error_summary(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "<title>Error:" in body
    return body


@pytest.fixture
def officer(school):
    return with_password(staff(StaffRole.LA_DESIGNATED_OFFICER, school.local_authority))


@pytest.fixture
def lead(school):
    return with_password(staff(StaffRole.SCHOOL_LEAD, school))


class TestWhoMustUseIt:
    def test_la_staff_and_operators_must_and_school_staff_only_when_their_la_says(
        self, school, officer, lead
    ):
        operator = get_user_model().objects.create_user("operator", is_staff=True)
        assert two_step.two_step_required(officer)
        assert two_step.two_step_required(operator)
        assert not two_step.two_step_required(lead)
        school.local_authority.two_step_for_school_staff = True
        school.local_authority.save()
        assert two_step.two_step_required(get_user_model().objects.get(pk=lead.pk))

    def test_someone_with_roles_at_several_places_must_if_any_requires_it(self, school, lead):
        staff_grant_role(user=lead, role=StaffRole.LEGAL_PANEL_MEMBER,
                         organisation=LocalAuthorityFactory())
        assert two_step.two_step_required(get_user_model().objects.get(pk=lead.pk))

    def test_school_staff_sign_in_with_their_password_only_by_default(self, lead):
        client = password_step(lead)
        assert client.get(reverse("dashboard")).status_code == 200


class TestSettingUp:
    def test_it_sends_someone_without_an_authenticator_to_set_one_up(self, officer):
        client = password_step(officer)
        response = client.get(reverse("pupil-search"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("two-step-set-up"))
        body = response.content.decode()
        assert "<svg" in body and "QR code" in body
        typed = client.session[two_step.SETUP_KEY]
        assert two_step.key_for_typing(typed) in body
        assert all(len(group) == 4 for group in two_step.key_for_typing(typed).split())

    def test_setting_up_shows_ten_recovery_codes_once_and_records_it(self, officer, school):
        client = password_step(officer)
        codes = set_up(client)
        assert len(codes) == 10
        again = client.get(reverse("two-step-recovery-codes")).content.decode()
        assert not [code for code in codes if code in again]
        assert client.get(reverse("dashboard")).status_code == 200
        event = AccountEvent.objects.get()
        assert (event.what, event.user, event.actor, event.local_authority) == (
            "set_up", officer, officer, school.local_authority)

    def test_a_wrong_set_up_code_is_an_error_and_sets_nothing_up(self, officer):
        client = password_step(officer)
        client.get(reverse("two-step-set-up"))
        key = client.session[two_step.SETUP_KEY]
        wrong = f"{(int(app_code(key)) + 1) % 1_000_000:06d}"
        body = error_summary(client.post(reverse("two-step-set-up"), {"code": wrong}))
        assert "The code is not right" in body
        assert not TOTPDevice.objects.exists() and not AccountEvent.objects.exists()
        assert client.get(reverse("dashboard")).status_code == 302

    def test_the_key_stays_the_same_until_it_is_confirmed(self, officer):
        client = password_step(officer)
        client.get(reverse("two-step-set-up"))
        first = client.session[two_step.SETUP_KEY]
        client.get(reverse("two-step-set-up"))
        assert client.session[two_step.SETUP_KEY] == first


class TestTheCodeStep:
    @pytest.fixture
    def device(self, officer):
        return authenticator_for(officer)

    def test_the_right_code_signs_in_and_leads_where_the_user_was_going(self, officer, device):
        client = password_step(officer)
        wanted = reverse("pupil-search")
        first = client.get(wanted)
        assert first["Location"] == f"{reverse('two-step-code')}?next=%2Fpupils%2F"
        response = client.post(reverse("two-step-code"),
                               {"code": app_code(device.key), "next": wanted})
        assert response["Location"] == wanted
        assert client.get(wanted).status_code == 200

    def test_every_page_leads_to_the_code_until_it_is_entered_but_sign_out(
        self, officer, device
    ):
        client = password_step(officer)
        for url in (reverse("dashboard"), reverse("contract-list"), "/admin/"):
            assert client.get(url)["Location"].startswith(reverse("two-step-code")), url
        assert client.get(reverse("health")).status_code == 200
        assert client.post(reverse("logout"))["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session

    def test_the_admin_site_asks_an_operator_for_the_code_too(self, db):
        operator = with_password(get_user_model().objects.create_user(
            "operator", is_staff=True, is_superuser=True))
        device = authenticator_for(operator)
        client = password_step(operator)
        assert client.get("/admin/")["Location"].startswith(reverse("two-step-code"))
        client.post(reverse("two-step-code"), {"code": app_code(device.key)})
        assert client.get("/admin/").status_code == 200

    def test_a_wrong_code_is_an_error_and_the_next_try_waits(self, officer, device):
        client = password_step(officer)
        wrong = f"{(int(app_code(device.key)) + 500_000) % 1_000_000:06d}"
        assert "The code is not right" in error_summary(
            client.post(reverse("two-step-code"), {"code": wrong}))
        # Straight after, even the right code waits its turn (django-otp's throttling).
        body = error_summary(client.post(reverse("two-step-code"),
                                         {"code": app_code(device.key)}))
        assert "too many wrong codes" in body
        assert client.get(reverse("dashboard")).status_code == 302
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
        assert client.post(reverse("two-step-code"),
                           {"code": app_code(device.key)}).status_code == 302

    @pytest.mark.parametrize("code", ["", "12345", "1234567", "x" * 5000, "' OR 1=1 --",
                                      "😀" * 6, "１２３４５６"])
    def test_a_malformed_code_is_an_error_never_a_failure(self, officer, device, code):
        client = password_step(officer)
        error_summary(client.post(reverse("two-step-code"), {"code": code}))

    def test_a_code_is_accepted_once(self, officer, device):
        code = app_code(device.key)
        first = password_step(officer)
        assert first.post(reverse("two-step-code"), {"code": code}).status_code == 302
        second = password_step(officer)
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        error_summary(second.post(reverse("two-step-code"), {"code": code}))

    def test_a_recovery_code_signs_in_once_and_is_recorded(self, officer, school):
        codes = set_up(password_step(officer))
        client = password_step(officer)
        response = client.post(reverse("two-step-code"), {"code": codes[0].upper()},
                               follow=True)
        assert "You signed in with a recovery code. You have 9 left" in (
            response.content.decode())
        assert AccountEvent.objects.filter(what="recovery_code_used", user=officer).count() == 1
        again = password_step(officer)
        StaticDevice.objects.update(throttling_failure_count=0)
        error_summary(again.post(reverse("two-step-code"), {"code": codes[0]}))
        assert StaticToken.objects.count() == 9

    def test_the_session_key_changes_when_the_code_is_entered(self, officer, device):
        client = password_step(officer)
        before = client.session.session_key
        client.post(reverse("two-step-code"), {"code": app_code(device.key)})
        assert client.session.session_key != before


class TestSessionLimits:
    """The idle and absolute limits (cases.middleware.SessionTimeoutMiddleware) hold while
    the code is awaited and after it is entered."""

    def age(self, client, **seconds):
        session = client.session
        for key, value in seconds.items():
            session[key] -= value
        session.save()

    def test_an_idle_session_waiting_for_the_code_ends(self, officer):
        authenticator_for(officer)
        client = password_step(officer)
        client.get(reverse("two-step-code"))
        self.age(client, last_seen=31 * 60)
        response = client.get(reverse("two-step-code"))
        assert response["Location"].startswith(reverse("login"))

    def test_a_verified_session_ends_after_idle_time_and_after_twelve_hours(self, officer):
        device = authenticator_for(officer)
        for limits in ({"last_seen": 31 * 60}, {"signed_in_at": 12 * 3600 + 60}):
            client = password_step(officer)
            client.get(reverse("dashboard"))
            assert client.post(reverse("two-step-code"), {
                "code": app_code(device.key, steps_ahead=len(limits))}).status_code == 302
            TOTPDevice.objects.update(last_t=-1)
            assert client.get(reverse("dashboard")).status_code == 200
            self.age(client, **limits)
            assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))

    def test_the_password_lockout_still_applies_to_someone_with_an_authenticator(
        self, officer
    ):
        authenticator_for(officer)
        client = FormClient(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            client.post(reverse("login"), {"username": officer.username, "password": "wrong"})
        locked = client.post(reverse("login"),
                             {"username": officer.username, "password": PASSWORD})
        assert "Too many attempts" in locked.content.decode()


@pytest.fixture
def la_admin(school):
    return staff(StaffRole.LA_ADMIN, school.local_authority)


def admin_client(user) -> FormClient:
    client = FormClient()
    client.force_login(user)
    return client


class TestTheLaAdminsPage:
    def test_it_lists_the_las_staff_with_whether_they_set_up_and_no_one_elses(
        self, school, la_admin, officer, lead
    ):
        authenticator_for(officer)
        elsewhere = staff(StaffRole.SCHOOL_LEAD, SchoolFactory())
        page = admin_client(la_admin).get(
            reverse("staff-sign-in", args=[school.local_authority_id])).content.decode()
        assert officer.last_name in page and lead.last_name in page
        assert elsewhere.last_name not in page
        assert "Set up" in page and "Not set up" in page

    def test_another_las_page_does_not_exist_for_them(self, la_admin):
        other = LocalAuthorityFactory()
        client = admin_client(la_admin)
        assert client.get(reverse("staff-sign-in", args=[other.pk])).status_code == 404
        assert client.get(reverse("two-step-school-staff", args=[other.pk])).status_code == 404

    def test_the_page_costs_the_same_with_more_staff_and_events(self, school, la_admin):
        client = admin_client(la_admin)
        url = reverse("staff-sign-in", args=[school.local_authority_id])
        client.get(url)

        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        small = count()
        for _ in range(5):
            member = staff(StaffRole.HEADTEACHER, SchoolFactory(
                local_authority=school.local_authority))
            two_step.two_step_set_up(user=member, key_hex=two_step.new_key(), code_step=1)
        assert count() == small
        assert small <= 14


class TestResetting:
    def test_a_reset_removes_the_devices_ends_the_session_and_is_recorded(
        self, school, la_admin, officer
    ):
        codes_client = password_step(officer)
        set_up(codes_client)
        assert codes_client.get(reverse("dashboard")).status_code == 200
        url = reverse("two-step-reset", args=[school.local_authority_id, officer.pk])
        client = admin_client(la_admin)
        assert "Reset two-step sign-in for" in client.get(url).content.decode()
        response = client.post(url)
        assert response["Location"] == reverse("staff-sign-in",
                                               args=[school.local_authority_id])
        assert not TOTPDevice.objects.filter(user=officer).exists()
        assert not StaticDevice.objects.filter(user=officer).exists()
        # The officer's verified session ends at its next request ...
        assert codes_client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
        # ... and at the next sign-in they set up again.
        again = password_step(officer)
        assert again.get(reverse("dashboard"), follow=True).redirect_chain[-1][0].startswith(
            reverse("two-step-set-up"))
        event = AccountEvent.objects.get(what="reset")
        assert (event.user, event.actor, event.local_authority) == (
            officer, la_admin, school.local_authority)
        page = client.get(reverse("staff-sign-in", args=[school.local_authority_id]))
        assert "Reset two-step sign-in</td>" in page.content.decode()

    def test_staff_outside_the_admins_la_are_not_found(self, school, la_admin):
        stranger = staff(StaffRole.LA_DESIGNATED_OFFICER, LocalAuthorityFactory())
        authenticator_for(stranger)
        nobody = get_user_model().objects.create_user("nobody")
        client = admin_client(la_admin)
        for user_id in (stranger.pk, nobody.pk, 10**9):
            url = reverse("two-step-reset", args=[school.local_authority_id, user_id])
            assert client.get(url).status_code == 404
            assert client.post(url).status_code == 404
        assert TOTPDevice.objects.filter(user=stranger).exists()
        assert not AccountEvent.objects.exists()

    def test_only_the_la_admin_resets(self, school, officer):
        target = staff(StaffRole.SCHOOL_LEAD, school)
        authenticator_for(target)
        url = reverse("two-step-reset", args=[school.local_authority_id, target.pk])
        assert admin_client(officer).post(url).status_code == 404
        assert TOTPDevice.objects.filter(user=target).exists()


class TestTheSchoolStaffRule:
    def test_turning_it_on_makes_school_staff_use_two_step_and_is_recorded(
        self, school, la_admin, lead
    ):
        url = reverse("two-step-school-staff", args=[school.local_authority_id])
        client = admin_client(la_admin)
        assert client.post(url, {"required": "yes"}).status_code == 302
        school.local_authority.refresh_from_db()
        assert school.local_authority.two_step_for_school_staff
        signed_in = password_step(lead)
        assert signed_in.get(reverse("dashboard"))["Location"].startswith(
            reverse("two-step-code"))
        # The same answer again changes nothing and records nothing more.
        client.post(url, {"required": "yes"})
        client.post(url, {"required": "no"})
        assert list(AccountEvent.objects.order_by("pk").values_list("what", "user")) == [
            ("school_staff_on", None), ("school_staff_off", None)]

    def test_no_answer_is_an_error(self, school, la_admin):
        url = reverse("two-step-school-staff", args=[school.local_authority_id])
        assert "Select yes if school staff" in error_summary(
            admin_client(la_admin).post(url, {}))


class TestAccountEvents:
    def test_they_cannot_be_changed_or_deleted(self, officer):
        two_step.two_step_set_up(user=officer, key_hex=two_step.new_key(), code_step=1)
        event = AccountEvent.objects.get()
        with pytest.raises(TypeError, match="append-only"):
            event.save()
        with pytest.raises(TypeError, match="append-only"):
            AccountEvent.objects.all().delete()
        for statement in ("UPDATE cases_accountevent SET what = 'reset' WHERE id = %s",
                          "DELETE FROM cases_accountevent WHERE id = %s"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
        assert AccountEvent.objects.get().what == "set_up"


def test_the_code_and_set_up_pages_cost_the_same_however_many_staff_and_events(
    school, officer
):
    authenticator_for(officer)
    without = with_password(staff(StaffRole.HEAD_OF_PARTNERSHIPS, school.local_authority))
    pages = [(password_step(officer), reverse("two-step-code")),
             (password_step(without), reverse("two-step-set-up"))]
    for client, url in pages:
        client.get(url)

    def counts() -> list[int]:
        found = []
        for client, url in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    small = counts()
    for _ in range(5):
        member = staff(StaffRole.LA_DESIGNATED_OFFICER, LocalAuthorityFactory())
        staff_grant_role(user=member, role=StaffRole.SCHOOL_LEAD, organisation=school)
        two_step.two_step_set_up(user=member, key_hex=two_step.new_key(), code_step=1)
    assert counts() == small
    assert max(small) <= 8
