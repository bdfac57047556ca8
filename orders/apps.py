from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Parenting orders and the legal panel"

    def eligibility_measures(self, pupil, *, today):
        from .selectors import order_measure

        return [order_measure(pupil, today=today)]

    def pupil_move_checks(self, pupil):
        from .selectors import pupil_move_checks

        return pupil_move_checks(pupil)

    def case_changed(self, *, pupil, actor):
        from .services import case_changed

        case_changed(pupil=pupil, actor=actor)
