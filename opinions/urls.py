from django.urls import path

from . import views

urlpatterns = [
    path("opinions/follow/", views.follow_opinion, name="follow_opinion"),
    path("opinions/<str:reference>/", views.opinion_status, name="opinion_status"),
]
