from django.apps import AppConfig


class ConductConfig(AppConfig):
    name = "conduct"
    verbose_name = "Parent and carer conduct"

    def case_page(self, pupil, user):
        from .selectors import case_page

        return case_page(pupil, user)

    def dashboard(self, user):
        from .selectors import dashboard_sections

        return dashboard_sections(user)

    def retention_source(self):
        from .retention import CONDUCT_RECORDS

        return CONDUCT_RECORDS
