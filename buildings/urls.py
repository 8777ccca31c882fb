from django.urls import path

from . import views

app_name = "buildings"

urlpatterns = [
    path("", views.honour_roll, name="honour_roll"),
]
