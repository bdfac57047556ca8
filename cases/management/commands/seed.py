"""Demo and volume data.

`--scale demo`: two authorities (one English, one Welsh), staff of every role, pupils, parents,
exclusions with census reason codes, agencies, meetings. Safe to run again: it does nothing when
the demo authorities exist, and prints the demo sign-ins.

`--scale la`: one large authority (120 schools, 40,000 pupils, 30,000 exclusions over five
years), bulk-loaded, for benchmarks and query-count checks.
"""

import random
from base64 import b32decode
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import rules
from cases.access import staff_grant_role
from cases.grounds import contract_grounds_refresh
from cases.identifiers import upn_check_letter
from cases.models import (
    SCHOOL_ROLES,
    Agency,
    AgencyInvolvement,
    AgencyKind,
    Exclusion,
    ExclusionKind,
    ExclusionReason,
    LocalAuthority,
    LocalPolicy,
    MeetingAction,
    MultiAgencyMeeting,
    Nation,
    ParentCarer,
    Pupil,
    PupilParent,
    Relationship,
    School,
    SchoolType,
    StaffRole,
    TimelineEvent,
)
from cases.policies import policy_for
from cases.two_step import key_for_typing

DEMO_PASSWORD = "pact-demo-2026"
# Demo only: one published authenticator key for every demo LA account, so whoever tries the
# demo can add it to an app once and sign in as any LA role. A real account's key is random
# and shown only to its owner (cases.two_step).
DEMO_TWO_STEP_KEY = b32decode("PACTDEMOKEYNOTFORREALUSE23456723").hex()

FIRST_NAMES = [
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Freya", "Arthur",
    "Evie", "Harry", "Poppy", "Jack", "Ivy", "Charlie", "Rosie", "Theo", "Willow", "Alfie",
    "Seren", "Dylan", "Cerys", "Rhys", "Ffion", "Osian", "Megan", "Ioan", "Nia", "Gethin",
    "Aisha", "Mohammed", "Zara", "Yusuf", "Maya", "Kai", "Lena", "Tomasz", "Zofia", "Kwame",
]
LAST_NAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Roberts", "Johnson", "Lewis", "Walker", "Robinson", "Wood", "Thompson", "White", "Watson",
    "Jackson", "Wright", "Green", "Harris", "Cooper", "King", "Lee", "Martin", "Clarke", "James",
    "Morgan", "Hughes", "Edwards", "Hill", "Moore", "Clark", "Harrison", "Scott", "Young",
    "Morris", "Hall", "Ward", "Khan", "Ahmed", "Patel", "Nowak", "Mensah", "Griffiths",
]
PARENT_FIRST_NAMES = [
    "Sarah", "David", "Emma", "James", "Claire", "Mark", "Rachel", "Paul", "Nicola", "Andrew",
    "Sian", "Gareth", "Rhian", "Huw", "Fatima", "Imran", "Agnieszka", "Piotr", "Grace", "Kofi",
]
REASON_WEIGHTS = {
    "DB": 30, "VA": 14, "PA": 10, "PP": 10, "VP": 8, "DA": 5, "DM": 5, "BU": 4, "OW": 3,
    "RA": 2, "MT": 3, "TH": 2, "SM": 1, "LG": 1, "DS": 1,
}
LEGACY_WEIGHTS = {"PD": 30, "VA": 14, "PA": 10, "PP": 10, "VP": 8, "DA": 5, "DM": 5, "OT": 6}

DEMO_AUTHORITIES = [
    {
        "code": "901", "name": "Ashford Vale", "nation": Nation.ENGLAND,
        "policy": LocalPolicy.BEDFORDSHIRE_2007, "prefix": "",
        "schools": [
            ("9012001", "Hillside Primary School", SchoolType.COMMUNITY),
            ("9014002", "Ashford Vale Academy", SchoolType.ACADEMY),
            ("9011100", "Riverside Pupil Referral Unit", SchoolType.PRU),
        ],
    },
    {
        "code": "902", "name": "Tawe Valley", "nation": Nation.WALES,
        "policy": LocalPolicy.WALES_2010, "prefix": "cy.",
        "schools": [
            ("9022001", "Ysgol Gynradd Glan y Môr", SchoolType.COMMUNITY),
            ("9024002", "Tawe Valley High School", SchoolType.FOUNDATION),
        ],
    },
]
DEMO_ROLES = [
    (StaffRole.SCHOOL_LEAD, "school.lead", "Sam", "Okafor"),
    (StaffRole.HEADTEACHER, "headteacher", "Helen", "Price"),
    (StaffRole.CHAIR_OF_GOVERNORS, "chair", "Graham", "Powell"),
    (StaffRole.LA_DESIGNATED_OFFICER, "la.officer", "Dana", "Whitfield"),
    (StaffRole.HEAD_OF_PARTNERSHIPS, "partnerships", "Priya", "Raman"),
    (StaffRole.LEGAL_PANEL_MEMBER, "legal.panel", "Owen", "Bevan"),
    (StaffRole.INFORMATION_OFFICER, "information.officer", "Iris", "Lowe"),
    (StaffRole.LA_ADMIN, "la.admin", "Alex", "Morgan"),
]


def make_upn(*, la_code: str, estab: str, year: int, serial: int) -> str:
    body = f"{la_code}{estab}{year % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def _share(total: int, parts: int, index: int) -> int:
    """Part `index` of `total` split as evenly as possible into `parts`."""
    return total // parts + (1 if index < total % parts else 0)


class Command(BaseCommand):
    help = "Load demo data (--scale demo) or a large authority for benchmarks (--scale la)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "la"], default="demo")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, scale, seed, **options):
        self.random = random.Random(seed)
        self.today = timezone.localdate()
        self.reasons = {r.code: r for r in ExclusionReason.objects.all()}
        if not self.reasons:
            raise CommandError("Run migrations first: the exclusion reason codes are missing.")
        if scale == "demo":
            self.seed_demo()
        else:
            self.seed_la()

    # --- demo -------------------------------------------------------------------------------

    def seed_demo(self) -> None:
        if not LocalAuthority.objects.filter(code="901").exists():
            with transaction.atomic():
                for spec in DEMO_AUTHORITIES:
                    self.demo_authority(spec)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present.")
        self.stdout.write(f"\nDemo sign-ins (password for every one: {DEMO_PASSWORD}):")
        for spec in DEMO_AUTHORITIES:
            # School roles work at the authority's first school; LA roles across the LA.
            school = spec["schools"][0][1]
            for role, username, _first, _last in DEMO_ROLES:
                where = school if role in SCHOOL_ROLES else f"{spec['name']} LA"
                self.stdout.write(f"  {spec['prefix'] + username:<24} {role.label}, {where}")
        self.stdout.write(
            "\nLA roles sign in in two steps. Add this key to an authenticator app (time-based; "
            "demo only, the same for every demo LA account):\n  "
            + key_for_typing(DEMO_TWO_STEP_KEY))

    def demo_authority(self, spec: dict) -> None:
        la = LocalAuthority.objects.create(
            code=spec["code"], name=spec["name"], nation=spec["nation"],
            policy_name=spec["policy"], address=f"Civic Centre\n{spec['name']}",
            phone="01632 960999", email=f"education@{spec['code']}.example.org",
        )
        schools = [
            School.objects.create(
                local_authority=la, dfe_number=dfe, name=name, school_type=kind,
                address=f"{n + 1} School Lane\n{spec['name']}",
                phone=f"01632 96{n:04d}", email=f"office{n}@{spec['code']}.example.org",
                headteacher_name="Helen Price",
            )
            for n, (dfe, name, kind) in enumerate(spec["schools"])
        ]
        self.staff_for(la, schools[0], prefix=spec["prefix"])
        agencies = self.agencies_for(la)
        actor = get_user_model().objects.get(username=spec["prefix"] + "school.lead")
        for school in schools:
            self.bulk_pupils(school, count=24, exclusions=30, actor=actor)
        self.demo_contracts(schools[0], actor)
        self.demo_orders(la, schools[0], actor, officer=get_user_model().objects.get(
            username=spec["prefix"] + "la.officer"))
        self.demo_conduct(schools[0], headteacher=get_user_model().objects.get(
            username=spec["prefix"] + "headteacher"))
        self.demo_returns(la, schools)
        # A little multi-agency work on the first school's most-excluded pupils.
        busiest = (
            Pupil.objects.filter(school=schools[0])
            .annotate(exclusion_count=Count("exclusions"))
            .order_by("-exclusion_count", "pk")[:3]
        )
        for pupil in busiest:
            involvement = AgencyInvolvement.objects.create(
                pupil=pupil, agency=agencies[0], key_worker="Jo Marsh",
                key_worker_contact="01234 567890", started_on=self.today - timedelta(days=120),
                consent_to_share=True, consent_recorded_on=self.today - timedelta(days=120),
                recorded_by=actor,
            )
            meeting = MultiAgencyMeeting.objects.create(
                pupil=pupil, held_on=self.today - timedelta(days=30),
                purpose="Review of support after suspensions",
                attendees="Sam Okafor, school lead\nJo Marsh, education welfare officer\nParent",
                decisions="Offer a parenting contract; refer to the parenting programme.",
                recorded_by=actor,
            )
            meeting.agencies.set(agencies[:2])
            MeetingAction.objects.create(
                meeting=meeting, description="Send the contract meeting invitation",
                owner="Sam Okafor", due_on=self.today + timedelta(days=7),
            )
            TimelineEvent.objects.bulk_create([
                TimelineEvent(
                    pupil=pupil, actor=actor, kind=TimelineEvent.Kind.AGENCY_INVOLVEMENT_RECORDED,
                    summary=f"{involvement.agency.name} involved, key worker Jo Marsh",
                    details={"involvement": involvement.pk},
                ),
                TimelineEvent(
                    pupil=pupil, actor=actor, kind=TimelineEvent.Kind.MEETING_RECORDED,
                    summary=f"Multi-agency meeting: {meeting.purpose}",
                    details={"meeting": meeting.pk},
                ),
            ])

    def staff_for(self, la: LocalAuthority, school: School, *, prefix: str) -> None:
        """One user per role: school roles at `school`, LA roles at `la`."""
        # Hashed once: password hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        for role, username, first, last in DEMO_ROLES:
            user = get_user_model().objects.create(
                username=prefix + username, password=password, first_name=first,
                last_name=last, email=f"{prefix}{username}@example.org",
            )
            organisation = school if role in SCHOOL_ROLES else la
            staff_grant_role(user=user, role=role, organisation=organisation)
            if role not in SCHOOL_ROLES:
                TOTPDevice.objects.create(user=user, name="Authenticator app (demo)",
                                          key=DEMO_TWO_STEP_KEY, confirmed=True)

    def demo_contracts(self, school: School, actor) -> None:
        """A signed contract and an offered one, made through the services as staff would."""
        from contracts import services as contracts

        today = self.today
        meeting = {"meeting_on": today + timedelta(days=7), "meeting_time": "10:30am",
                   "meeting_place": "the school office", "contact": "Sam Okafor on 01632 960000",
                   "reply_by": today + timedelta(days=5)}
        policy = policy_for(school.local_authority)
        eligible = [
            pupil for pupil in Pupil.objects.filter(school=school).order_by("pk")
            .prefetch_related("exclusions", "parent_links__parent")
            if rules.behaviour_contract_eligibility(
                policy=policy, exclusions=list(pupil.exclusions.all()),
                looked_after=pupil.looked_after, today=today)
        ]
        for made, pupil in enumerate(eligible[:2]):
            parents = [link.parent for link in pupil.parent_links.all()]
            contract = contracts.contract_create(
                actor=actor, pupil=pupil, kind="behaviour", parents=parents
            )
            contracts.contract_update_content(
                actor=actor, contract=contract,
                concerns="Disruption in lessons and two suspensions this year.",
                aims=f"{pupil.first_name} stays in lessons and is not excluded again.",
                objectives=f"{pupil.first_name} attends every lesson; daily report card; "
                "form tutor",
                support="A weekly call from the form tutor\nA place at the parenting group",
                parent_requirements="Sign the report card each evening\nAttend the reviews",
                starts_on=today, review_on=today + timedelta(days=42),
                ends_on=today + timedelta(days=120),
            )
            contracts.contract_offer(actor=actor, contract=contract, letter_facts=meeting,
                                     method="post")
            if made == 0:
                contracts.contract_sign(
                    actor=actor, contract=contract, method="by_hand",
                    signatures=[{"name": parents[0].full_name, "role": "parent"},
                                {"name": "Helen Price", "role": "headteacher"}],
                    consents={parent.pk: "given" for parent in parents},
                )

    def demo_orders(self, la: LocalAuthority, school: School, actor, *, officer) -> None:
        """The LA's catalogue of parenting programmes, kept by its officer, and one school's
        request for a parenting order, waiting in the officer's queue."""
        from orders import services as orders

        orders.programme_save(
            actor=officer, local_authority=la, name="Strengthening Families",
            provider=f"{la.name} Family Support Service", sessions=10,
            topics="Routines, boundaries, praise, working with school", places=8)
        orders.programme_save(
            actor=officer, local_authority=la, name="Parenting Teenagers",
            provider="Family Links", sessions=8, topics="Communication, conflict, attendance",
            places=12)
        pupil = (Pupil.objects.filter(school=school, contracts__isnull=True,
                                      parent_links__isnull=False)
                 .annotate(exclusion_count=Count("exclusions"))
                 .order_by("-exclusion_count", "pk").first())
        if pupil is None:
            return
        orders.order_request(
            actor=actor, pupil=pupil, parents=[link.parent for link in pupil.parent_links.all()],
            reasons="Repeated suspensions for disruption this year; the family did not take up "
                    "the parenting contract meeting or the support offered.",
            parenting_factor="Mornings are unsupervised and school is not followed up at home.")

    def demo_conduct(self, school: School, *, headteacher) -> None:
        """A parent who shouted at a teacher at the gate, warned by the headteacher and waiting
        to reply; and another, on conditions the governing board has yet to review, which the
        school's other staff see on the pupil's case."""
        from conduct import services as conduct

        pupils = list(Pupil.objects.filter(school=school, parent_links__isnull=False)
                      .order_by("-pk").distinct()[:2])
        if len(pupils) < 2:
            return
        yesterday = timezone.now() - timedelta(days=1)
        shouting = {"place": "gate", "channel": "face_to_face", "categories": ["verbal_abuse"],
                    "affected": ["staff", "pupils"],
                    "description": "Shouted and swore at the class teacher at the gate in "
                                   "front of pupils."}
        emails = {"place": "online", "channel": "email",
                  "categories": ["abusive_messages", "unreasonable_demands"],
                  "affected": ["staff"],
                  "description": "Sent eleven abusive emails to the office in two days, "
                                 "demanding a meeting the same day."}
        for pupil, what in zip(pupils, (shouting, emails), strict=True):
            incident = conduct.incident_record(
                actor=headteacher, pupil=pupil, occurred_at=yesterday,
                parents=[pupil.parent_links.order_by("pk").first().parent],
                staff_support="A debrief with the deputy headteacher.", **what)
            letter = {"actor": headteacher, "record": incident.adults.get(),
                      "incident": incident, "summary": what["description"], "method": "post"}
            if what is shouting:
                conduct.warning_send(**letter)
            else:
                conduct.conditions_set(
                    **letter, board_review_on=self.today + timedelta(days=12), conditions=[
                        {"key": "written_only",
                         "parent": "You may contact the school in writing only.",
                         "staff": "Do not take their calls or meet them: contact is in "
                                  "writing only."}])

    def demo_returns(self, la: LocalAuthority, schools: list[School]) -> None:
        """The returns of the term just ended, as the termly job would have taken them."""
        from reporting.services import returns_take
        from reporting.terms import last_ended

        returns_take(schools=[school.pk for school in schools],
                     term=last_ended(la, self.today))

    def agencies_for(self, la: LocalAuthority) -> list[Agency]:
        names = {
            AgencyKind.EDUCATION_WELFARE: "Education Welfare Service",
            AgencyKind.SOCIAL_CARE: "Children's Social Care",
            AgencyKind.YOT: "Youth Offending Team",
            AgencyKind.CAMHS: "CAMHS",
            AgencyKind.EDUCATIONAL_PSYCHOLOGY: "Educational Psychology Service",
            AgencyKind.PARENTING_PROGRAMME: "Family Links Parenting Programme",
        }
        return Agency.objects.bulk_create(
            Agency(local_authority=la, kind=kind, name=f"{la.name} {name}")
            for kind, name in names.items()
        )

    # --- bulk -------------------------------------------------------------------------------

    def bulk_pupils(
        self, school: School, *, count: int, exclusions: int, actor=None, years: int = 2,
    ) -> None:
        rnd = self.random
        la_code, estab = school.dfe_number[:3], school.dfe_number[3:]
        welsh = school.local_authority.nation == Nation.WALES
        pupils = []
        for serial in range(count):
            born = self.today - timedelta(days=rnd.randint(5 * 365, 16 * 365))
            pupils.append(Pupil(
                school=school,
                first_name=rnd.choice(FIRST_NAMES),
                last_name=rnd.choice(LAST_NAMES),
                date_of_birth=born,
                upn=make_upn(la_code=la_code, estab=estab, year=born.year, serial=serial),
                looked_after=rnd.random() < 0.04,
                sen_status=rnd.choice(["none"] * 6 + ["sen_support", "sen_support", "ehc_plan"]),
            ))
        pupils = Pupil.objects.bulk_create(pupils, batch_size=2000)
        parents = ParentCarer.objects.bulk_create(
            (
                ParentCarer(
                    first_name=rnd.choice(PARENT_FIRST_NAMES),
                    last_name=pupil.last_name,
                    address=f"{rnd.randint(1, 200)} {rnd.choice(LAST_NAMES)} Road",
                    postcode=f"ZZ{rnd.randint(1, 99)} {rnd.randint(1, 9)}ZZ",
                    phone=f"07700 900{rnd.randint(100, 999)}",
                    preferred_language="cy" if welsh and rnd.random() < 0.3 else "en",
                )
                for pupil in pupils
            ),
            batch_size=2000,
        )
        PupilParent.objects.bulk_create(
            (
                PupilParent(
                    pupil=pupil, parent=parent, relationship=Relationship.BIRTH_PARENT,
                    parental_responsibility=True, has_care=True,
                )
                for pupil, parent in zip(pupils, parents, strict=True)
            ),
            batch_size=2000,
        )
        events = [
            TimelineEvent(
                pupil=pupil, actor=actor, kind=TimelineEvent.Kind.PUPIL_ADDED,
                summary=f"Added to Pact at {school.name}", details={"upn": pupil.upn},
            )
            for pupil in pupils
        ]
        self.bulk_exclusions(school, pupils, events, actor=actor, count=exclusions, years=years)
        TimelineEvent.objects.bulk_create(events, batch_size=5000)

    def bulk_exclusions(
        self, school, pupils, events, *, actor, count: int, years: int
    ) -> None:
        rnd = self.random
        # A few pupils account for most exclusions, as in the census.
        weights = [rnd.paretovariate(1.5) for _ in pupils]
        chosen = rnd.choices(pupils, weights=weights, k=count)
        exclusions, reason_sets = [], []
        for pupil in chosen:
            start = self.today - timedelta(days=rnd.randint(1, years * 365))
            while start.weekday() >= 5:
                start -= timedelta(days=1)
            permanent = rnd.random() < 0.03
            lunchtime = not permanent and rnd.random() < 0.1
            kind = (
                ExclusionKind.PERMANENT if permanent
                else ExclusionKind.LUNCHTIME if lunchtime else ExclusionKind.SUSPENSION
            )
            days = None if permanent else Decimal("0.5") if lunchtime else Decimal(
                rnd.choice([1, 1, 1, 2, 2, 3, 5])
            )
            table = REASON_WEIGHTS if start >= date(2020, 9, 1) else LEGACY_WEIGHTS
            codes = list(dict.fromkeys(
                rnd.choices(list(table), weights=list(table.values()), k=rnd.choice([1, 1, 2, 3]))
            ))
            exclusions.append(Exclusion(
                pupil=pupil, school=school, kind=kind, start_date=start, school_days=days,
                serious_misbehaviour=permanent or rnd.random() < 0.05,
                statutory_process_ended_on=start + timedelta(days=rnd.randint(15, 60))
                if start < self.today - timedelta(days=60) else None,
                recorded_by=actor,
            ))
            reason_sets.append(codes)
        exclusions = Exclusion.objects.bulk_create(exclusions, batch_size=2000)
        contract_grounds_refresh([pupil.pk for pupil in pupils])
        through = Exclusion.reasons.through
        through.objects.bulk_create(
            (
                through(exclusion_id=exclusion.pk, exclusionreason_id=self.reasons[code].pk)
                for exclusion, codes in zip(exclusions, reason_sets, strict=True)
                for code in codes
            ),
            batch_size=5000,
        )
        events.extend(
            TimelineEvent(
                pupil=exclusion.pupil, actor=actor, kind=TimelineEvent.Kind.EXCLUSION_RECORDED,
                summary=f"{exclusion.get_kind_display()} from {exclusion.start_date:%-d %B %Y}",
                details={"exclusion": exclusion.pk, "reasons": codes},
            )
            for exclusion, codes in zip(exclusions, reason_sets, strict=True)
        )

    # --- la ---------------------------------------------------------------------------------

    def seed_la(self) -> None:
        if LocalAuthority.objects.filter(code="950").exists():
            raise CommandError("The large authority (code 950) is already loaded.")
        started = timezone.now()
        school_count, pupil_total, exclusion_total = 120, 40_000, 30_000
        with transaction.atomic():
            la = LocalAuthority.objects.create(
                code="950", name="Greater Midshire", nation=Nation.ENGLAND,
                policy_name=LocalPolicy.ENGLAND_STATUTORY,
            )
            kinds = [SchoolType.COMMUNITY] * 5 + [SchoolType.ACADEMY] * 4 + [
                SchoolType.VOLUNTARY_AIDED, SchoolType.FOUNDATION, SchoolType.SPECIAL,
            ]
            schools = School.objects.bulk_create(
                School(
                    local_authority=la, dfe_number=f"950{n + 2000:04d}",
                    name=f"Midshire School {n + 1}",
                    school_type=SchoolType.PRU if n == 0 else kinds[n % len(kinds)],
                )
                for n in range(school_count)
            )
            self.agencies_for(la)
            self.staff_for(la, schools[0], prefix="midshire.")
            for index, school in enumerate(schools):
                self.bulk_pupils(
                    school,
                    count=_share(pupil_total, school_count, index),
                    exclusions=_share(exclusion_total, school_count, index),
                    years=5,
                )
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {la.name}: {school_count} schools, {pupil_total} pupils, "
            f"{exclusion_total} exclusions in {seconds:.1f} s."
        ))
