from django.urls import path

from . import views

urlpatterns = [
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("calendar/<int:pk>.ics", views.event_ics, name="event_ics"),
]
