from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Parenting and attendance contracts"

    def eligibility_measures(self, pupil, *, today):
        from .selectors import contract_measures

        return contract_measures(pupil, today=today)

    def pupil_move_checks(self, pupil):
        from .selectors import pupil_move_checks

        return pupil_move_checks(pupil)
