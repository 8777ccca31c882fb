import factory

from django.utils import timezone

from people.factories import CadreFactory

from .models import Appraisal


class AppraisalFactory(factory.django.DjangoModelFactory):
    """A draft appraisal of this year with its debriefing written. Move it on with
    ``core.transitions.perform(appraisal, "record_debriefing", user)``, never by setting its
    state."""

    cadre = factory.SubFactory(CadreFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    debriefing = factory.LazyAttribute(
        lambda appraisal: (
            f"{appraisal.year}年度述职报告：完成社区党建、民生服务和安全稳定各项工作。"
        )
    )

    class Meta:
        model = Appraisal
