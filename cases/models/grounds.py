"""What "eligible now" reads: kept by the services that change a pupil's exclusions, never
evidence (rebuilt from the exclusions at will: cases.grounds)."""

from django.db import models

from . import LocalAuthority, LocalPolicy, Pupil, School


class ContractGrounds(models.Model):
    """Per pupil and policy, the day the pupil's latest grounds for a behaviour contract were
    met and the last day they stand (cases.rules.contract_grounds). Kept for every policy, so
    an LA changing its policy changes no rows. With the pupil's school and LA beside them, the
    LA's list (or a school's) is one index range scan, however many exclusions the LA holds."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contract_grounds")
    policy_name = models.CharField(max_length=30, choices=LocalPolicy.choices)
    # The pupil's school and LA now: a move takes them along (cases.moves).
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="+")
    met_on = models.DateField()
    lapses_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "policy_name"],
                                               name="one_set_of_grounds_per_pupil_and_policy")]
        indexes = [
            models.Index(fields=["local_authority", "policy_name", "lapses_on", "pupil"],
                         name="grounds_of_la_by_lapse"),
            models.Index(fields=["school", "policy_name", "lapses_on", "pupil"],
                         name="grounds_of_school_by_lapse"),
        ]

    def __str__(self) -> str:
        return f"Grounds met on {self.met_on:%-d %b %Y}, lapse after {self.lapses_on:%-d %b %Y}"
