"""Local policies: the numbers and choices that differ between LAs, versioned, in code.

Each LA names one policy (LocalAuthority.policy_name). Rules read every number from the policy,
never from a literal. Where a source document and today's law differ, the LA's policy decides.
Changing a value means a new version; a past decision records the version it used. "Eligible
now" keeps each pupil's grounds under every policy (cases.grounds): a release that changes a
policy's contract numbers runs `manage.py contract_grounds_rebuild --policy <name>`.
"""

from dataclasses import dataclass

from .models import LocalPolicy
from .sources import BEDFORDSHIRE


@dataclass(frozen=True)
class Policy:
    name: str
    version: int
    title: str
    source: str

    # Behaviour parenting contract (ASBA 2003 s.19).
    contract_needs_two_suspensions: bool
    contract_basis: str  # how a school lead would put the grounds, for reasons
    contract_min_months: int
    contract_max_months: int

    # Parenting order application (ASBA 2003 s.20).
    order_needs_two_suspensions: bool
    order_basis: str
    order_needs_serious_misbehaviour: bool
    order_window_months: int
    order_window_from_contract: bool
    order_programme_max_months: int
    order_requirements_max_months: int

    # The same for every policy so far, kept here so a rule never holds a number.
    suspension_window_months: int = 12
    # Exclusions older than this are history, not grounds for a new contract: neither the protocol
    # nor the statute sets a limit, so Pact reads "any 12 month period" as one that reaches
    # into the last 12 months (a contract answers current behaviour; Bedfordshire protocol §5).
    contract_recency_months: int = 12
    # Responsible officer: meets the parent within 48 hours of the order, confirms in writing
    # within 48 hours of that meeting (Bedfordshire protocol §14).
    ro_meeting_hours: int = 48
    ro_confirmation_hours: int = 48
    # Whether those hours are counted on working days only (48 hours from a Friday afternoon
    # is the Tuesday afternoon) or on the clock, as the Bedfordshire protocol writes them.
    ro_hours_are_working_hours: bool = True
    # A parent has 10 working days to reply in writing to a conduct letter (Monmouthshire policy,
    # model letters 1-4).
    conduct_reply_working_days: int = 10
    # A ban from premises is reviewed after 6 months (Monmouthshire policy; s.547 Education Act
    # 1996).
    ban_review_months: int = 6
    # Conditions confirmed by the governing board never run without a review date (domain:
    # "bans and conditions never run without a review date"); the policies give none for
    # conditions, so Pact proposes the ban's 6 months and the board may set an earlier date.
    conditions_review_months: int = 6
    # An emergency ban, made at once where safety demands it, still needs the chair's
    # agreement (St Pancras agreement §4; Monmouthshire policy, "Escalation"). Neither says
    # how soon: Pact's choice is 5 working days, a school week, as a clock on the record.
    emergency_ban_chair_working_days: int = 5
    # A contract is not appropriate for a pupil in statutory public care (Bedfordshire protocol §5).
    looked_after_blocks_contract: bool = True


POLICIES: dict[str, Policy] = {
    LocalPolicy.BEDFORDSHIRE_2007: Policy(
        name=LocalPolicy.BEDFORDSHIRE_2007,
        version=1,
        title="Bedfordshire protocol on parenting contracts and orders (2007)",
        source=BEDFORDSHIRE.title,
        # §5: permanently excluded, or two or more fixed-term exclusions in any 12 months.
        contract_needs_two_suspensions=True,
        contract_basis="a permanent exclusion, or 2 suspensions within 12 months",
        # §8: at least three months, to measure impact; at most 12, as longer could be
        # counter-productive.
        contract_min_months=3,
        contract_max_months=12,
        # §11-12: permanent exclusion, or more than one fixed-term exclusion within 12 months,
        # and in all cases for serious misbehaviour.
        order_needs_two_suspensions=True,
        order_basis="a permanent exclusion, or 2 suspensions within 12 months, for serious "
        "misbehaviour",
        order_needs_serious_misbehaviour=True,
        # §13: within 6 months of the date the contract was signed, where there is one.
        order_window_months=6,
        order_window_from_contract=True,
        # §11: attendance at a programme up to 3 months; other requirements up to 3 months.
        order_programme_max_months=3,
        order_requirements_max_months=3,
        # §14: "within 48 hours", as written: clock hours, weekends and bank holidays included.
        ro_hours_are_working_hours=False,
    ),
    LocalPolicy.ENGLAND_STATUTORY: Policy(
        name=LocalPolicy.ENGLAND_STATUTORY,
        version=1,
        title="England: Anti-social Behaviour Act 2003 s.19-20, as amended",
        source="ASBA 2003 s.19-20 as amended by the Education and Inspections Act 2006; "
        "Education (Parenting Contracts and Parenting Orders) (England) Regulations 2007",
        # s.19(1), as amended: a pupil excluded for a fixed period or permanently (or whose
        # behaviour risks exclusion, which the school judges: Pact cannot see it in data).
        contract_needs_two_suspensions=False,
        contract_basis="an exclusion (a suspension or a permanent exclusion)",
        contract_min_months=3,
        contract_max_months=12,
        # s.20(1): a pupil excluded for a fixed period or permanently.
        order_needs_two_suspensions=False,
        order_basis="an exclusion (a suspension or a permanent exclusion)",
        order_needs_serious_misbehaviour=False,
        # 2007 Regulations: within 6 months of the latest exclusion, or of the contract's
        # signing where a contract was entered into.
        order_window_months=6,
        order_window_from_contract=True,
        # s.20(4)-(5) with s.25: a programme of up to 3 months; other requirements for up to
        # 12 months.
        order_programme_max_months=3,
        order_requirements_max_months=12,
    ),
    LocalPolicy.WALES_2010: Policy(
        name=LocalPolicy.WALES_2010,
        version=1,
        title="Wales: parenting contracts and orders (2010 regulations and guidance)",
        source="ASBA 2003 s.19-20 as in force in Wales; Parenting Contracts and Parenting "
        "Orders (Education) (Wales) Regulations 2010 and Welsh Government guidance",
        # s.19(1) as in force in Wales: excluded for a fixed term or permanently.
        contract_needs_two_suspensions=False,
        contract_basis="an exclusion (a fixed-term or permanent exclusion)",
        contract_min_months=3,
        contract_max_months=12,
        # 2010 Regulations: more than one fixed-term exclusion within 12 months, or a
        # permanent exclusion; application within 6 months of the last exclusion.
        order_needs_two_suspensions=True,
        order_basis="a permanent exclusion, or more than one fixed-term exclusion within "
        "12 months",
        order_needs_serious_misbehaviour=False,
        order_window_months=6,
        order_window_from_contract=False,
        order_programme_max_months=3,
        order_requirements_max_months=12,
    ),
}


def policy_for(local_authority) -> Policy:
    return POLICIES[local_authority.policy_name]
