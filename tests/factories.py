import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model

from cases.access import staff_grant_role
from cases.grounds import contract_grounds_refresh
from cases.identifiers import upn_check_letter
from cases.models import (
    Agency,
    AgencyKind,
    Exclusion,
    ExclusionKind,
    LocalAuthority,
    Nation,
    ParentCarer,
    Pupil,
    PupilParent,
    Relationship,
    School,
    SchoolType,
)

_upn_serials = itertools.count(1)


def valid_upn(la_code: str = "901") -> str:
    body = f"{la_code}{next(_upn_serials):09d}"
    return upn_check_letter(body) + body


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{800 + n % 200:03d}")
    name = factory.Sequence(lambda n: f"Authority {n}")
    nation = Nation.ENGLAND


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    dfe_number = factory.Sequence(lambda n: f"{n + 1000000:07d}")
    name = factory.Sequence(lambda n: f"School {n}")
    school_type = SchoolType.COMMUNITY


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Sequence(lambda n: f"Pupilfirst{n}")
    last_name = factory.Sequence(lambda n: f"Pupillast{n}")
    date_of_birth = date(2013, 5, 17)
    upn = factory.LazyFunction(valid_upn)


class ParentCarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentCarer

    first_name = factory.Sequence(lambda n: f"Parentfirst{n}")
    last_name = factory.Sequence(lambda n: f"Parentlast{n}")


class PupilParentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PupilParent

    pupil = factory.SubFactory(PupilFactory)
    parent = factory.SubFactory(ParentCarerFactory)
    relationship = Relationship.BIRTH_PARENT
    parental_responsibility = True
    has_care = True


class ExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exclusion

    pupil = factory.SubFactory(PupilFactory)
    school = factory.LazyAttribute(lambda o: o.pupil.school)
    kind = ExclusionKind.SUSPENSION
    start_date = date(2026, 3, 3)
    school_days = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As cases.services.exclusion_record does: "eligible now" reads the grounds it keeps.
        exclusion = super()._create(model_class, *args, **kwargs)
        contract_grounds_refresh([exclusion.pupil_id])
        return exclusion


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.EDUCATION_WELFARE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = "!unusable"  # Django's marker for an account that cannot sign in by password


def staff(role: str, organisation) -> object:
    user = UserFactory()
    staff_grant_role(user=user, role=role, organisation=organisation)
    return user


# The one kind the letters page issues on its own: every other letter is a step of a
# contract, an order case or a conduct record.
FREE_LETTER = "contract_review_invitation"


def free_letter_facts() -> dict:
    from letters.kinds import sample_facts

    return sample_facts(FREE_LETTER)


def free_letter_form(recipients: list[int], *, action: str = "issue") -> dict:
    """The letters page's form for FREE_LETTER, filled in as a user would."""
    form = {"recipients": recipients, "language": "en", "method": "post", "action": action}
    for name, value in free_letter_facts().items():
        if isinstance(value, date):
            form.update({f"{name}_0": str(value.day), f"{name}_1": str(value.month),
                         f"{name}_2": str(value.year)})
        else:
            form[name] = value
    return form
