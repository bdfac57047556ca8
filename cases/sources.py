"""The documents and statutes Pact's rules come from, named as their readers know them.

Every reason, hint, help text, letter or export that cites a source cites it from here, by its
short title and a section ("Bedfordshire protocol (2007) §10", "ASBA 2003 s.19"). Comments in
the code may point at the source files themselves; nothing a user reads does.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    short: str  # how a reason cites it, before the section
    title: str  # its full title, for lists of sources
    url: str = ""  # where the public can read it, if anywhere


BEDFORDSHIRE = Source(
    "Bedfordshire protocol (2007)",
    "Protocol for Bedfordshire schools on the use of parenting contracts and parenting orders "
    "in relation to excluded pupils (2007)",
)
NOTTINGHAMSHIRE = Source(
    "Nottinghamshire attendance contract guidance",
    "Nottinghamshire guidance on attendance contracts",
)
KS3_TOOLKIT = Source(
    "KS3 National Strategy toolkit, unit 10",
    "KS3 National Strategy behaviour and attendance toolkit, unit 10: links with partners and "
    "other agencies",
)
ST_PANCRAS = Source(
    "St Pancras parent partnership agreement (2024)",
    "St Pancras Catholic Primary School parent partnership agreement (2024)",
)
MONMOUTHSHIRE = Source(
    "Monmouthshire PRS conduct policy",
    "Monmouthshire Pupil Referral Service parent/carer conduct policy",
)
ASBA_2003 = Source(
    "ASBA 2003", "Anti-social Behaviour Act 2003", "https://www.legislation.gov.uk/ukpga/2003/38"
)
EDUCATION_ACT_1996 = Source(
    "Education Act 1996", "Education Act 1996", "https://www.legislation.gov.uk/ukpga/1996/56"
)
PUPIL_INFORMATION_ENGLAND = Source(
    "Education (Pupil Information) (England) Regulations 2005",
    "The Education (Pupil Information) (England) Regulations 2005",
    "https://www.legislation.gov.uk/uksi/2005/1437",
)
PUPIL_INFORMATION_WALES = Source(
    "Education (Pupil Information) (Wales) Regulations 2011",
    "The Education (Pupil Information) (Wales) Regulations 2011",
    "https://www.legislation.gov.uk/wsi/2011/1942",
)

ALL = (BEDFORDSHIRE, NOTTINGHAMSHIRE, KS3_TOOLKIT, ST_PANCRAS, MONMOUTHSHIRE, ASBA_2003,
       EDUCATION_ACT_1996, PUPIL_INFORMATION_ENGLAND, PUPIL_INFORMATION_WALES)


def cite(source: Source, section: str = "") -> str:
    """"Bedfordshire protocol (2007) §10", "ASBA 2003 s.19", "Monmouthshire PRS conduct
    policy, model letter 2", or the short title alone."""
    if not section:
        return source.short
    numbered = section.startswith(("§", "s."))
    return f"{source.short} {section}" if numbered else f"{source.short}, {section}"
