"""What contract tests type again and again: the meeting an invitation names, and content
complete enough to sign."""

from datetime import timedelta

from django.utils import timezone

TODAY = timezone.localdate()
MEETING = {"meeting_on": TODAY + timedelta(days=7), "meeting_time": "10:30am",
           "meeting_place": "the school office", "contact": "Sam on 01234 567890",
           "reply_by": TODAY + timedelta(days=5)}
CONTENT = {
    "concerns": "Repeated disruption in lessons.", "aims": "Jordan stays in lessons.",
    "objectives": "Jordan attends every lesson; daily report card; form tutor",
    "support": "Weekly call from the form tutor", "parent_requirements": "Check the report card",
    "starts_on": TODAY, "review_on": TODAY + timedelta(days=45),
    "ends_on": TODAY + timedelta(days=120),
}
